"""Every hand-installed constraint of every migration is in the migrated database.

(A real AlterField on SQLite rebuilds the table and silently drops its triggers: this test caught
that once, for accounts.)
"""

import importlib
import pkgutil

import migrations
from domain.sql import reader
from migrations._constraints import Constraints


def _declared(attribute: str = "CONSTRAINTS") -> list[Constraints]:
    """Each migration's ``CONSTRAINTS`` (installed), or its ``RETIRED`` (ones a later rule replaced)."""
    found = []
    for module in pkgutil.iter_modules(migrations.__path__):
        if module.name[0].isdigit():
            constraints = getattr(importlib.import_module(f"migrations.{module.name}"), attribute, None)
            if constraints is not None:
                found.append(constraints)
    return found


async def test_every_check_and_unique_index_exists(db):
    sql = reader()
    declared = _declared()
    assert len(declared) >= 4
    if db.postgres:
        checks = {
            r["conname"] for r in await sql.fetch("SELECT conname FROM pg_constraint WHERE contype = 'c'")
        }
        indexes = {r["indexname"] for r in await sql.fetch("SELECT indexname FROM pg_indexes")}
    else:
        triggers = {
            r["name"] for r in await sql.fetch("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        checks = {name.rsplit("_", 1)[0] for name in triggers if name.endswith(("_insert", "_update"))}
        indexes = {r["name"] for r in await sql.fetch("SELECT name FROM sqlite_master WHERE type = 'index'")}
    retired = {name for constraints in _declared("RETIRED") for name, _, _ in constraints.checks}
    assert retired == {"staff_role_scope"}  # replaced by staff_role_partner_scope (0015)
    assert not retired & checks
    for constraints in declared:
        for name, _, _ in constraints.checks:
            if name in retired:
                continue
            assert name in checks, name
        for name, _ in constraints.uniques + constraints.indexes:
            assert name in indexes, name
