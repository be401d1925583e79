"""The root types, assembled from one container per area."""

import strawberry

from resolvers.cards import CardMutation
from resolvers.ledger import LedgerQuery
from resolvers.links import LinkMutation, LinkQuery
from resolvers.organisations import OrganisationMutation
from resolvers.points import PointsMutation
from resolvers.programs import ProgramMutation, ProgramQuery
from resolvers.residents import ResidentMutation, ResidentQuery
from resolvers.staff import StaffMutation, StaffQuery
from resolvers.terminals import TerminalMutation


@strawberry.type
class Query(LedgerQuery, ResidentQuery, LinkQuery, StaffQuery, ProgramQuery):
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
):
    pass
