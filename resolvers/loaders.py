"""Per-request DataLoaders: nested fields batch their reads into one query per request."""

from collections.abc import Sequence
from datetime import datetime

from strawberry.dataloader import DataLoader

from domain.ledger.queries import CheckpointView, checkpoints_by_sequence
from domain.municipalities.queries import MunicipalityView, list_municipalities_by_id
from domain.programs.queries import (
    CampaignView,
    ProgramView,
    list_active_campaigns,
    list_programs_by_id,
    list_programs_by_municipality,
)
from domain.sql import reader


async def _load_checkpoints(sequences: Sequence[int]) -> list[CheckpointView | None]:
    found = await checkpoints_by_sequence(reader(), list(sequences))
    return [found.get(s) for s in sequences]


def checkpoint_by_sequence() -> DataLoader[int, CheckpointView | None]:
    return DataLoader(load_fn=_load_checkpoints)


async def _load_municipalities(ids: Sequence[int]) -> list[MunicipalityView | None]:
    found = await list_municipalities_by_id(reader(), list(ids))
    return [found.get(i) for i in ids]


def municipality_by_id() -> DataLoader[int, MunicipalityView | None]:
    return DataLoader(load_fn=_load_municipalities)


async def _load_programs(ids: Sequence[int]) -> list[ProgramView | None]:
    found = await list_programs_by_id(reader(), list(ids))
    return [found.get(i) for i in ids]


def program_by_id() -> DataLoader[int, ProgramView | None]:
    return DataLoader(load_fn=_load_programs)


async def _load_municipality_programs(ids: Sequence[int]) -> list[list[ProgramView]]:
    found = await list_programs_by_municipality(reader(), list(ids))
    return [found.get(i, []) for i in ids]


def programs_by_municipality() -> DataLoader[int, list[ProgramView]]:
    return DataLoader(load_fn=_load_municipality_programs)


def campaign_by_program(now: datetime) -> DataLoader[int, CampaignView | None]:
    async def load(ids: Sequence[int]) -> list[CampaignView | None]:
        found = await list_active_campaigns(reader(), list(ids), now)
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)
