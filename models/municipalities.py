"""Participating municipalities (自治体), keyed by their JIS X 0402 code with its check digit."""

from tortoise import fields
from tortoise.models import Model


class Municipality(Model):
    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=6, unique=True)  # e.g. 141305 (川崎市), check digit included
    name = fields.CharField(max_length=60)
    prefecture = fields.CharField(max_length=10)
    kana = fields.CharField(max_length=60, db_default="")
    contact_email = fields.CharField(max_length=254, null=True)
    contact_phone = fields.CharField(max_length=20, null=True)
    # the settlement bank account (全銀: bank 4 digits, branch 3, type, number 7, holder in kana)
    bank_code = fields.CharField(max_length=4, null=True)
    branch_code = fields.CharField(max_length=3, null=True)
    account_type = fields.CharField(max_length=8, null=True)
    account_number = fields.CharField(max_length=7, null=True)
    account_holder = fields.CharField(max_length=60, null=True)
    created_at = fields.DatetimeField()
    settlement_minimum_yen = fields.IntField(db_default=1000)  # payouts under it carry over
    transfer_requester_code = fields.CharField(max_length=10, null=True)  # 委託者コード (the bank's)
    settlement_schedule = fields.CharField(max_length=16, db_default="MONTHLY")  # or TWICE_MONTHLY

    class Meta:
        table = "municipalities"
