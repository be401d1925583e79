"""A card challenge records what its proof may be used for (a proof made for one purpose is refused
for any other: a PAY terminal's challenge cannot sign anybody in); a suspension records who asked."""

from tortoise import fields, migrations

from migrations._constraints import AddColumn


class Migration(migrations.Migration):
    dependencies = [("models", "0004_vouchers")]

    initial = False

    operations = [
        AddColumn(
            model_name="CardChallenge",
            name="purpose",
            field=fields.CharField(default="SIGN_IN", max_length=40),
        ),
        AddColumn(
            model_name="Resident",
            name="suspended_by",
            field=fields.CharField(null=True, max_length=300),
        ),
    ]
