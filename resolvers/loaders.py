"""Per-request DataLoaders: nested fields batch their reads into one query per request."""

from collections.abc import Sequence
from datetime import datetime

from strawberry.dataloader import DataLoader

from domain.ledger.queries import CheckpointView, checkpoints_by_sequence
from domain.links.actions import LinkView, list_links
from domain.municipalities.queries import MunicipalityView, list_municipalities_by_id
from domain.partners.billing import BillingView, billing_of
from domain.points.queries import Balance, Movement, ReservedLot, list_balances, list_history, list_reserved
from domain.programs.queries import (
    CampaignView,
    ProgramView,
    list_active_campaigns,
    list_programs_by_id,
    list_programs_by_municipality,
)
from domain.residents.queries import ResidentView, list_residents_by_id
from domain.settlement.queries import StatementView, list_statements
from domain.sql import reader
from domain.vouchers.queries import VoucherView, list_vouchers_by_resident


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


async def _load_residents(ids: Sequence[int]) -> list[ResidentView | None]:
    found = await list_residents_by_id(reader(), list(ids))
    return [found.get(i) for i in ids]


def resident_by_id() -> DataLoader[int, ResidentView | None]:
    return DataLoader(load_fn=_load_residents)


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


# A resident's own data: the schema's Resident type is only ever handed to that resident (``me``,
# the sign-in and registration payloads), so its fields read by its id.


def links_by_resident(now: datetime) -> DataLoader[int, list[LinkView]]:
    async def load(ids: Sequence[int]) -> list[list[LinkView]]:
        return [await list_links(reader(), i, now) for i in ids]

    return DataLoader(load_fn=load)


def balances_by_resident(now: datetime) -> DataLoader[int, list[Balance]]:
    async def load(ids: Sequence[int]) -> list[list[Balance]]:
        return [await list_balances(reader(), i, now) for i in ids]

    return DataLoader(load_fn=load)


def reserved_by_resident(now: datetime) -> DataLoader[int, list[ReservedLot]]:
    async def load(ids: Sequence[int]) -> list[list[ReservedLot]]:
        return [await list_reserved(reader(), i, now) for i in ids]

    return DataLoader(load_fn=load)


async def _load_vouchers(ids: Sequence[int]) -> list[list[VoucherView]]:
    return [await list_vouchers_by_resident(reader(), i) for i in ids]


def vouchers_by_resident() -> DataLoader[int, list[VoucherView]]:
    return DataLoader(load_fn=_load_vouchers)


HistoryPage = tuple[int, int, str | None]  # resident id, how many, after which cursor


async def _load_history(pages: Sequence[HistoryPage]) -> list[tuple[list[Movement], bool]]:
    return [await list_history(reader(), resident, first, after) for resident, first, after in pages]


def history_by_resident() -> DataLoader[HistoryPage, tuple[list[Movement], bool]]:
    return DataLoader(load_fn=_load_history)


async def _load_statements(ids: Sequence[int]) -> list[list[StatementView]]:
    found = await list_statements(reader(), list(ids))
    return [[s for s in found if s.settlement_id == i] for i in ids]


def statements_by_settlement() -> DataLoader[int, list[StatementView]]:
    return DataLoader(load_fn=_load_statements)


async def _load_billing(ids: Sequence[int]) -> list[BillingView | None]:
    found = await billing_of(reader(), list(ids))
    return [found.get(i) for i in ids]


def billing_by_partner() -> DataLoader[int, BillingView | None]:
    return DataLoader(load_fn=_load_billing)
