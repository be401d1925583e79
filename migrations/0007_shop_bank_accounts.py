"""Shops get the bank account their municipality pays them into (全銀: bank 4 digits, branch 3,
ORDINARY/CURRENT, number 7, the holder in the transfer file's half-width kana). All or none: a CHECK
keeps a half-entered account out. Who set it, and when, is kept beside it: a changed payee is the
first thing an auditor asks about."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from migrations._constraints import AddColumn, Constraints

COLUMNS = ("bank_code", "branch_code", "account_type", "account_number", "account_holder")

CONSTRAINTS = Constraints(
    checks=[
        (
            "shops_bank_account_whole",
            "shops",
            " AND ".join(f"{c} IS NULL" for c in COLUMNS)
            + " OR "
            + " AND ".join(f"{c} IS NOT NULL" for c in COLUMNS),
        ),
    ],
    columns="|".join(COLUMNS),
)


class Migration(migrations.Migration):
    dependencies = [("models", "0006_account_owners")]

    initial = False

    operations = [
        AddColumn(model_name="Shop", name="bank_code", field=fields.CharField(max_length=4, null=True)),
        AddColumn(model_name="Shop", name="branch_code", field=fields.CharField(max_length=3, null=True)),
        AddColumn(model_name="Shop", name="account_type", field=fields.CharField(max_length=8, null=True)),
        AddColumn(model_name="Shop", name="account_number", field=fields.CharField(max_length=7, null=True)),
        AddColumn(model_name="Shop", name="account_holder", field=fields.CharField(max_length=60, null=True)),
        AddColumn(
            model_name="Shop", name="account_set_by", field=fields.CharField(max_length=120, null=True)
        ),
        AddColumn(model_name="Shop", name="account_set_at", field=fields.DatetimeField(null=True)),
        ops.RunPython(CONSTRAINTS.install, reverse_code=CONSTRAINTS.remove),
    ]
