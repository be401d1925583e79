"""Settlement runs (精算): a municipality's period closed at 00:00 JST, what it owes each shop and
what each partner owes it, and the journal entries the run took (a closed period never changes)."""

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.ledger import JournalEntry
    from models.municipalities import Municipality
    from models.partners import Partner
    from models.programs import Program
    from models.shops import Shop


class Settlement(Model):
    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="settlements", on_delete=fields.RESTRICT
    )
    period_start = fields.DateField()
    period_end = fields.DateField()  # the last day (JST) the period holds
    cut_at = fields.DatetimeField()  # 00:00 JST the day after period_end
    payout_on = fields.DateField()  # a business day
    status = fields.CharField(max_length=12)
    digest = fields.CharField(max_length=64)
    entry_count = fields.BigIntField()
    payable_yen = fields.BigIntField()  # to shops, this run
    receivable_yen = fields.BigIntField()  # from partners, this run
    closed_by = fields.CharField(max_length=120)
    rules = fields.SmallIntField(default=1)  # which rules computed it (domain.settlement.actions.RULES)
    created_at = fields.DatetimeField()

    class Meta:
        table = "settlements"


class SettlementEntry(Model):
    """A journal entry a settlement took (an entry is settled once per municipality)."""

    id = fields.BigIntField(primary_key=True)
    settlement: fields.ForeignKeyRelation[Settlement] = fields.ForeignKeyField(
        "models.Settlement", related_name="entries", on_delete=fields.RESTRICT
    )
    municipality_id = fields.BigIntField()
    entry: fields.ForeignKeyRelation["JournalEntry"] = fields.ForeignKeyField(
        "models.JournalEntry", related_name="settlements", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "settlement_entries"


class SettlementLine(Model):
    """Points and yen of one counterparty (a shop or a partner) and one program in a run."""

    id = fields.BigIntField(primary_key=True)
    settlement: fields.ForeignKeyRelation[Settlement] = fields.ForeignKeyField(
        "models.Settlement", related_name="lines", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=8)  # SHOP: owed to the shop; PARTNER: by the partner; CLEARING
    shop: fields.ForeignKeyNullableRelation["Shop"] = fields.ForeignKeyField(
        "models.Shop", related_name="settlement_lines", null=True, on_delete=fields.RESTRICT
    )
    partner: fields.ForeignKeyNullableRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="settlement_lines", null=True, on_delete=fields.RESTRICT
    )
    peer: fields.ForeignKeyNullableRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="clearing_lines", null=True, on_delete=fields.RESTRICT
    )  # CLEARING: the other municipality of an acceptance agreement
    event_id = fields.BigIntField(null=True)  # EVENT: a donation support event (paid to its organiser)
    program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="settlement_lines", on_delete=fields.RESTRICT
    )
    points = fields.BigIntField()
    fee_yen = fields.BigIntField()  # a street's conversion fee (its scheme's cost), for the statement
    yen = fields.BigIntField()

    class Meta:
        table = "settlement_lines"


class SettlementStatement(Model):
    """The total of one counterparty in a run, with what carried in from the last run and out to the next

    Amounts under the minimum wait for the next run."""

    id = fields.BigIntField(primary_key=True)
    settlement: fields.ForeignKeyRelation[Settlement] = fields.ForeignKeyField(
        "models.Settlement", related_name="statements", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=8)
    shop: fields.ForeignKeyNullableRelation["Shop"] = fields.ForeignKeyField(
        "models.Shop", related_name="settlement_statements", null=True, on_delete=fields.RESTRICT
    )
    partner: fields.ForeignKeyNullableRelation["Partner"] = fields.ForeignKeyField(
        "models.Partner", related_name="settlement_statements", null=True, on_delete=fields.RESTRICT
    )
    peer: fields.ForeignKeyNullableRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="clearing_statements", null=True, on_delete=fields.RESTRICT
    )  # CLEARING: yen > 0 is owed to the peer, yen < 0 by it (netted: one transfer per pair and run)
    event_id = fields.BigIntField(null=True)  # EVENT: what the organiser receives, at the event's close
    points = fields.BigIntField()
    fee_yen = fields.BigIntField()
    yen = fields.BigIntField()  # this period
    carried_in_yen = fields.BigIntField()
    payable_yen = fields.BigIntField()  # paid (or billed) this run
    carried_out_yen = fields.BigIntField()
    paid_at = fields.DatetimeField(null=True)  # the officer marked the transfer (or invoice) as sent
    paid_by = fields.CharField(max_length=120, null=True)

    class Meta:
        table = "settlement_statements"


class PublishedFigures(Model):
    """A month's totals a municipality chose to publish on its portal page (no personal data)."""

    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="published_figures", on_delete=fields.RESTRICT
    )
    month = fields.CharField(max_length=7)  # YYYY-MM
    issued_points = fields.BigIntField()
    used_points = fields.BigIntField()
    expired_points = fields.BigIntField()
    shops_used = fields.IntField()  # shops where points were used that month
    published_at = fields.DatetimeField()
    published_by = fields.CharField(max_length=120)

    class Meta:
        table = "published_figures"
