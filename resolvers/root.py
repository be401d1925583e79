"""The root types, assembled from one container per area."""

import strawberry

from resolvers.cards import CardMutation
from resolvers.ledger import LedgerQuery
from resolvers.links import LinkMutation, LinkQuery
from resolvers.online import OnlineMutation, OnlineQuery
from resolvers.organisations import OrganisationMutation
from resolvers.partners import PartnerConsoleMutation, PartnerConsoleQuery
from resolvers.points import PartnerQuery, PointsMutation
from resolvers.portal import PortalMutation, PortalQuery
from resolvers.programs import ProgramMutation, ProgramQuery
from resolvers.residents import ResidentMutation, ResidentQuery
from resolvers.settlement import SettlementMutation, SettlementQuery
from resolvers.staff import StaffMutation, StaffQuery
from resolvers.terminals import TerminalMutation
from resolvers.vouchers import Subscription, VoucherMutation


@strawberry.type
class Query(
    LedgerQuery,
    ResidentQuery,
    LinkQuery,
    StaffQuery,
    ProgramQuery,
    PortalQuery,
    SettlementQuery,
    PartnerQuery,
    PartnerConsoleQuery,
    OnlineQuery,
):
    pass


@strawberry.type
class Mutation(
    CardMutation,
    ResidentMutation,
    LinkMutation,
    StaffMutation,
    OrganisationMutation,
    TerminalMutation,
    ProgramMutation,
    PointsMutation,
    VoucherMutation,
    SettlementMutation,
    PartnerConsoleMutation,
    PortalMutation,
    OnlineMutation,
):
    pass


__all__ = ["Mutation", "Query", "Subscription"]
