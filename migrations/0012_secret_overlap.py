"""A rotated partner secret keeps working for an overlap window, so a partner can roll its servers
over without an outage: the previous secret's hash and until when (both or none, a CHECK).

Columns added with AddColumn; the CHECK by hand.
"""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from migrations._constraints import AddColumn, Constraints

CONSTRAINTS = Constraints(
    checks=[
        (
            "partners_previous_secret",
            "partners",
            "(previous_secret_hash IS NULL) = (previous_secret_until IS NULL)",
        )
    ],
    columns="previous_secret_hash|previous_secret_until",
)


class Migration(migrations.Migration):
    dependencies = [("models", "0011_partner_services")]

    initial = False

    operations = [
        AddColumn(
            model_name="Partner",
            name="previous_secret_hash",
            field=fields.CharField(null=True, max_length=64),
        ),
        AddColumn(
            model_name="Partner",
            name="previous_secret_until",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunPython(CONSTRAINTS.install, reverse_code=CONSTRAINTS.remove),
    ]
