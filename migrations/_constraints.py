"""What Tortoise's CreateModel leaves out, installed by hand: unique and partial indexes, and CHECKs.

(Tortoise 1.1.9 emits neither Meta.constraints nor composite or partial unique indexes.) SQLite
cannot add a CHECK to an existing table, so there each rule becomes a pair of BEFORE INSERT/UPDATE
triggers that abort the write. The leading underscore keeps Tortoise from loading this module as a
migration.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

Rule = str | dict[str, str]  # one SQL expression, or one per dialect ("postgres", "sqlite")


@dataclass(frozen=True)
class Constraints:
    checks: list[tuple[str, str, Rule]] = field(default_factory=list)  # (name, table, rule)
    columns: str = ""  # the columns the rules name, as a regex alternation (NEW.<column> in triggers)
    uniques: list[tuple[str, str]] = field(default_factory=list)  # (name, "table (columns) [WHERE …]")
    indexes: list[tuple[str, str]] = field(default_factory=list)

    def _sqlite(self, rule: str) -> str:
        return re.sub(rf"\b({self.columns})\b", r"NEW.\1", rule) if self.columns else rule

    async def install(self, apps: StateApps, editor: BaseSchemaEditor) -> None:
        client = editor.client
        dialect = client.capabilities.dialect
        for name, target in self.uniques:
            await client.execute_script(f"CREATE UNIQUE INDEX {name} ON {target}")
        for name, target in self.indexes:
            await client.execute_script(f"CREATE INDEX {name} ON {target}")
        for name, table, rule in self.checks:
            check = rule[dialect] if isinstance(rule, dict) else rule
            if dialect != "sqlite":
                await client.execute_script(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({check})")
                continue
            for event in ("INSERT", "UPDATE"):
                await client.execute_script(
                    f"CREATE TRIGGER {name}_{event.lower()} BEFORE {event} ON {table} WHEN NOT ({self._sqlite(check)})"
                    f" BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {name}'); END"
                )

    async def remove(self, apps: StateApps, editor: BaseSchemaEditor) -> None:
        client = editor.client
        for name, table, _ in self.checks:
            if client.capabilities.dialect == "sqlite":
                for event in ("insert", "update"):
                    await client.execute_script(f"DROP TRIGGER {name}_{event}")
            else:
                await client.execute_script(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _ in self.uniques + self.indexes:
            await client.execute_script(f"DROP INDEX {name}")


class AlterFieldState(ops.AlterField):  # type: ignore[misc]
    """An AlterField that changes Tortoise's idea of a field, not the database.

    For changes that have no effect in the database (an enum's description). On SQLite a real
    AlterField rebuilds the table, which silently drops the triggers that stand in for CHECKs.
    """

    async def database_forward(self, *args: Any, **kwargs: Any) -> None:
        return None

    async def database_backward(self, *args: Any, **kwargs: Any) -> None:
        return None


class AddColumn(ops.AddField):  # type: ignore[misc]
    """An AddField whose reverse is a plain ``ALTER TABLE … DROP COLUMN`` on both databases.

    Tortoise removes a field on SQLite by rebuilding the table, which drops the indexes and triggers
    installed by :class:`Constraints`; SQLite (3.35 and newer) drops a plain column in place.
    """

    async def database_backward(
        self, app_label: str, old_state: Any, new_state: Any, state_editor: BaseSchemaEditor | None = None
    ) -> None:
        if state_editor is None:
            return
        model = old_state.apps.get_model(f"{app_label}.{self.model_name}")
        column = model._meta.fields_map[self.name].source_field or self.name
        await state_editor.client.execute_script(f"ALTER TABLE {model._meta.db_table} DROP COLUMN {column}")
