"""The typed per-request context every resolver receives."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from domain.auth.access_tokens import AccessTokens
from domain.auth.actor import Actor
from domain.cards.trust import CardTrust
from domain.clock import Clock
from domain.ledger.queries import CheckpointView
from domain.ledger.signing import LedgerKey
from domain.links.actions import LinkView
from domain.municipalities.queries import MunicipalityView
from domain.partners.billing import BillingView
from domain.points.queries import Balance, Movement, ReservedLot
from domain.programs.queries import CampaignView, ProgramView
from domain.residents.queries import ResidentView
from domain.settlement.queries import StatementView
from domain.vouchers.qr import qr_svg, qr_text
from domain.vouchers.queries import VoucherView
from domain.vouchers.tokens import VoucherKey


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | WebSocket | None
    clock: Clock
    ledger_key: LedgerKey
    access_tokens: AccessTokens
    voucher_key: VoucherKey
    public_url: str
    actor: Actor | None = None
    client_address: str = "unknown"
    secure_cookies: bool = False
    # what follows is built by its factory in ``lazy`` on the first field that reads it: most requests
    # (a redemption, a balance) use no DataLoader and no card, and thirteen loaders built and the
    # trusted CAs' file looked at for each request were a cost of their own
    lazy: Mapping[str, Callable[["Context"], Any]] = field(default_factory=dict)
    card_trust: CardTrust = field(init=False)
    checkpoint_by_sequence: DataLoader[int, CheckpointView | None] = field(init=False)
    municipality_by_id: DataLoader[int, MunicipalityView | None] = field(init=False)
    resident_by_id: DataLoader[int, ResidentView | None] = field(init=False)
    program_by_id: DataLoader[int, ProgramView | None] = field(init=False)
    programs_by_municipality: DataLoader[int, list[ProgramView]] = field(init=False)
    campaign_by_program: DataLoader[int, CampaignView | None] = field(init=False)
    links_by_resident: DataLoader[int, list[LinkView]] = field(init=False)
    balances_by_resident: DataLoader[int, list[Balance]] = field(init=False)
    reserved_by_resident: DataLoader[int, list[ReservedLot]] = field(init=False)
    vouchers_by_resident: DataLoader[int, list[VoucherView]] = field(init=False)
    statements_by_settlement: DataLoader[int, list[StatementView]] = field(init=False)
    billing_by_partner: DataLoader[int, BillingView | None] = field(init=False)
    history_by_resident: DataLoader[tuple[int, int, str | None], tuple[list[Movement], bool]] = field(
        init=False
    )

    def __getattr__(self, name: str) -> Any:
        """Only for what is not set yet: the first use of a ``lazy`` attribute builds it, and it stays."""
        factories = self.__dict__.get("lazy", {})
        if name not in factories:
            raise AttributeError(name)
        loader = factories[name](self)
        setattr(self, name, loader)
        return loader

    def voucher_url(self, token: str) -> str:
        """What the QR code says: upper case, so the code stays in alphanumeric mode."""
        return qr_text(self.public_url, token)

    def voucher_qr(self, token: str) -> str:
        return qr_svg(self.voucher_url(token))


Info = StrawberryInfo[Context, None]
