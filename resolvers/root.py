"""The root types, assembled from one container per area."""

import strawberry

from resolvers.ledger import LedgerQuery


@strawberry.type
class Query(LedgerQuery):
    pass
