"""Accounts carry their owner as columns (resident, municipality, program, shop and shard, partner,
voucher), with foreign keys and the indexes settlement and reports need; the code stays only as a
unique label. What residents gave to a support event gets its own kind, EVENT_GIFTS.

The backfill reads the owner out of each existing code, once, here: this is the last place that
parses a code. Afterwards a CHECK holds every row to the columns its kind needs.
"""

import re
from typing import Any

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

from migrations._constraints import AddColumn, AlterFieldState, Constraints
from models.ledger import AccountKind

OWNER_COLUMNS = (
    "resident_id",
    "municipality_id",
    "program_id",
    "shop_id",
    "shard",
    "partner_id",
    "voucher_id",
)

# kind: the owner columns it needs; every other owner column is NULL (domain.ledger.accounts.OWNED_BY)
NEEDS = {
    "RESIDENT_PROGRAM": ("resident_id", "program_id"),
    "RESIDENT_RESERVED": ("resident_id",),
    "MUNICIPALITY": ("municipality_id",),
    "SHOP": ("shop_id", "shard"),
    "PARTNER": ("partner_id",),
    "VOUCHER": ("voucher_id",),
    "EVENT_GIFTS": ("program_id",),
    "SYSTEM": (),
}


def _owner_rule() -> str:
    cases = []
    for kind, needed in NEEDS.items():
        terms = [f"kind = '{kind}'"]
        terms += [f"{c} IS NOT NULL" if c in needed else f"{c} IS NULL" for c in OWNER_COLUMNS]
        cases.append("(" + " AND ".join(terms) + ")")
    return " OR ".join(cases)


CONSTRAINTS = Constraints(
    checks=[
        ("accounts_owner_by_kind", "accounts", _owner_rule()),
        ("accounts_shard_nonneg", "accounts", "shard IS NULL OR shard >= 0"),
    ],
    columns="kind|" + "|".join(OWNER_COLUMNS),
    uniques=[
        ("accounts_resident_program", "accounts (resident_id, program_id) WHERE kind = 'RESIDENT_PROGRAM'"),
        ("accounts_resident_reserved", "accounts (resident_id) WHERE kind = 'RESIDENT_RESERVED'"),
        ("accounts_budget", "accounts (municipality_id) WHERE kind = 'MUNICIPALITY'"),
        ("accounts_shop_shard", "accounts (shop_id, shard) WHERE kind = 'SHOP'"),
        ("accounts_partner", "accounts (partner_id) WHERE kind = 'PARTNER'"),
        ("accounts_voucher", "accounts (voucher_id) WHERE kind = 'VOUCHER'"),
        ("accounts_event_gifts", "accounts (program_id) WHERE kind = 'EVENT_GIFTS'"),
    ],
    # the partial unique indexes above are also how each owner's accounts are found (a resident's,
    # a shop's shards, an event's gifts); every extra index costs each new account (a 100,000-row
    # grant opens 100,000), so reports add theirs when they need them
)


def _owner_of(code: str, kind: str, municipalities: dict[str, int]) -> tuple[str, dict[str, int]]:
    """The kind and owner columns an existing code names (the code formats of 0001-0005)."""
    parts = code.split(":")
    match parts:
        case ["resident", r, "program", p]:
            return "RESIDENT_PROGRAM", {"resident_id": int(r), "program_id": int(p)}
        case ["resident", r, "reserved"]:
            return "RESIDENT_RESERVED", {"resident_id": int(r)}
        case ["program", p, "gifts"]:
            return "EVENT_GIFTS", {"program_id": int(p)}
        case ["municipality", m] if m in municipalities:
            return "MUNICIPALITY", {"municipality_id": municipalities[m]}
        case ["shop", s, n]:
            return "SHOP", {"shop_id": int(s), "shard": int(n)}
        case ["partner", p]:
            return "PARTNER", {"partner_id": int(p)}
        case ["voucher", v]:
            return "VOUCHER", {"voucher_id": int(v)}
        case ["system", _] if kind == "SYSTEM":
            return "SYSTEM", {}
    raise ValueError(f"account code {code!r} ({kind}) names no owner this migration knows")


async def backfill(apps: StateApps, editor: BaseSchemaEditor) -> None:
    client = editor.client
    municipalities = {
        str(r["code"]): int(r["id"])
        for r in await client.execute_query_dict("SELECT id, code FROM municipalities")
    }
    rows = await client.execute_query_dict("SELECT id, code, kind FROM accounts ORDER BY id")
    update = (
        "UPDATE accounts SET kind = $1, "
        + ", ".join(f"{c} = ${i + 2}" for i, c in enumerate(OWNER_COLUMNS))
        + f" WHERE id = ${len(OWNER_COLUMNS) + 2}"
    )
    if client.capabilities.dialect == "sqlite":
        update = re.sub(r"\$(\d+)", r"?\1", update)
    values: list[list[Any]] = []
    for row in rows:
        kind, owner = _owner_of(str(row["code"]), str(row["kind"]), municipalities)
        values.append([kind, *(owner.get(c) for c in OWNER_COLUMNS), int(row["id"])])
    for start in range(0, len(values), 10_000):
        await client.execute_many(update, values[start : start + 10_000])


async def undo_backfill(apps: StateApps, editor: BaseSchemaEditor) -> None:
    await editor.client.execute_script(
        "UPDATE accounts SET kind = 'RESIDENT_PROGRAM' WHERE kind = 'EVENT_GIFTS'"
    )


def _owner(model: str, source: str) -> fields.ForeignKeyNullableRelation[Any]:
    return fields.ForeignKeyField(
        f"models.{model}",
        source_field=source,
        db_constraint=True,
        to_field="id",
        related_name="accounts",
        null=True,
        on_delete=OnDelete.RESTRICT,
    )


class Migration(migrations.Migration):
    dependencies = [("models", "0005_purpose_and_suspension")]

    initial = False

    operations = [
        AlterFieldState(
            model_name="Account",
            name="kind",
            field=fields.CharEnumField(
                description="\n".join(f"{k.value}: {k.value}" for k in AccountKind),
                enum_type=AccountKind,
                max_length=24,
            ),
        ),
        AddColumn(model_name="Account", name="resident", field=_owner("Resident", "resident_id")),
        AddColumn(model_name="Account", name="municipality", field=_owner("Municipality", "municipality_id")),
        AddColumn(model_name="Account", name="program", field=_owner("Program", "program_id")),
        AddColumn(model_name="Account", name="shop", field=_owner("Shop", "shop_id")),
        AddColumn(model_name="Account", name="shard", field=fields.SmallIntField(null=True)),
        AddColumn(model_name="Account", name="partner", field=_owner("Partner", "partner_id")),
        AddColumn(model_name="Account", name="voucher", field=_owner("Voucher", "voucher_id")),
        ops.RunPython(backfill, reverse_code=undo_backfill),
        ops.RunPython(CONSTRAINTS.install, reverse_code=CONSTRAINTS.remove),
    ]
