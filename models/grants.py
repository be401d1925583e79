"""Grant batches (every grant, with the department and the officer who sent it) and department files
staged between their dry run and the grant."""

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.municipalities import Municipality
    from models.programs import Program


class GrantBatch(Model):
    # One grant (a single resident or a department's list): one journal entry.
    # (A comment, not a docstring: Tortoise would make a docstring the table's comment.)

    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="grant_batches", on_delete=fields.RESTRICT
    )
    program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="grant_batches", on_delete=fields.RESTRICT
    )
    entry_id = fields.BigIntField(unique=True)
    department = fields.CharField(max_length=60, null=True)  # None: the municipality's admin or the operator
    sent_by = fields.CharField(max_length=120)  # the actor's label
    reason = fields.CharField(max_length=200)
    file_name = fields.CharField(max_length=200, null=True)
    rows = fields.IntField()
    points = fields.BigIntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "grant_batches"


class GrantFileStatus(StrEnum):
    CHECKED = "CHECKED"  # every row is good; waiting for the officer's confirmation
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"


class GrantFile(Model):
    # A department's list between its dry run and the grant; its rows are erased once granted.

    id = fields.BigIntField(primary_key=True)
    municipality: fields.ForeignKeyRelation["Municipality"] = fields.ForeignKeyField(
        "models.Municipality", related_name="grant_files", on_delete=fields.RESTRICT
    )
    program: fields.ForeignKeyRelation["Program"] = fields.ForeignKeyField(
        "models.Program", related_name="grant_files", on_delete=fields.RESTRICT
    )
    department = fields.CharField(max_length=60, null=True)
    uploaded_by = fields.CharField(max_length=120)
    file_name = fields.CharField(max_length=200)
    reason = fields.CharField(max_length=200)
    content = fields.TextField(null=True)  # "MYKEYID,points" lines; NULL once granted or given up
    row_count = fields.IntField()
    points = fields.BigIntField()
    status = fields.CharEnumField(GrantFileStatus, max_length=8)
    done_rows = fields.IntField(default=0)
    batch: fields.ForeignKeyNullableRelation[GrantBatch] = fields.ForeignKeyField(
        "models.GrantBatch", related_name="files", null=True, on_delete=fields.RESTRICT
    )
    failure = fields.CharField(max_length=200, null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "grant_files"
