"""The GraphQL endpoint: schema assembly, limits, error masking and the per-request context.

Hardening (strawberry's defaults are permissive):
* depth ≤ 10, aliases ≤ 15, tokens ≤ 2,000 per document; no field suggestions in errors;
* no queries over GET (no CSRF through links); GraphiQL and introspection only outside production;
* coded domain errors keep their message and get ``extensions.code``; every other exception is
  logged and reaches the client as "Unexpected error." (validation errors are kept: they describe
  the client's document, not the server);
* parsed and validated documents are cached.
"""

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import strawberry
from graphql.error import GraphQLError
from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.dataloader import DataLoader
from strawberry.extensions import (
    MaskErrors,
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from api.auth import identify
from api.graphql_input import decode_request, refuse_bad_text
from api.trust import TrustSource
from domain.auth.access_tokens import AccessTokens
from domain.clock import Clock
from domain.errors import DomainError, ErrorCode
from domain.ledger.signing import LedgerKey
from domain.vouchers.tokens import VoucherKey
from resolvers.loaders import (
    balances_by_resident,
    billing_by_partner,
    campaign_by_program,
    checkpoint_by_sequence,
    history_by_resident,
    links_by_resident,
    municipality_by_id,
    program_by_id,
    programs_by_municipality,
    reserved_by_resident,
    resident_by_id,
    statements_by_settlement,
    vouchers_by_resident,
)
from resolvers.root import Mutation, Query, Subscription
from schema.context import Context

log = logging.getLogger("mykey.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2_000
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema" / "schema.graphql"


# the per-request DataLoaders, built on first use (see schema.context.Context)
LOADERS: dict[str, Callable[[Context], DataLoader[Any, Any]]] = {
    "checkpoint_by_sequence": lambda _: checkpoint_by_sequence(),
    "municipality_by_id": lambda _: municipality_by_id(),
    "resident_by_id": lambda _: resident_by_id(),
    "program_by_id": lambda _: program_by_id(),
    "programs_by_municipality": lambda _: programs_by_municipality(),
    "campaign_by_program": lambda context: campaign_by_program(context.clock.now()),
    "links_by_resident": lambda context: links_by_resident(context.clock.now()),
    "balances_by_resident": lambda context: balances_by_resident(context.clock.now()),
    "reserved_by_resident": lambda context: reserved_by_resident(context.clock.now()),
    "vouchers_by_resident": lambda _: vouchers_by_resident(),
    "history_by_resident": lambda _: history_by_resident(),
    "statements_by_settlement": lambda _: statements_by_settlement(),
    "billing_by_partner": lambda _: billing_by_partner(),
}


def _unexpected(error: GraphQLError) -> bool:
    """Neither a coded refusal nor the client's own document (a variable that does not coerce is
    reported as a GraphQLError wrapping a GraphQLError)."""
    original = error.original_error
    return original is not None and not isinstance(original, DomainError | GraphQLError)


class CodedErrors(MaskErrors):
    """Keep coded domain errors (with ``extensions.code``), mask everything unexpected."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=self._unexpected)

    @staticmethod
    def _unexpected(error: GraphQLError) -> bool:
        return _unexpected(error)

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            original = error.original_error
            if isinstance(original, DomainError):
                error.extensions = {**(error.extensions or {}), "code": original.code.value}
            elif error.message == self.error_message:
                error.extensions = {"code": "INTERNAL"}
            elif not (error.extensions or {}).get("code"):
                # parsing, validation and variable coercion: the client's document, said as it is
                error.extensions = {**(error.extensions or {}), "code": ErrorCode.INVALID_INPUT.value}
        return processed


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Log what is unexpected, never the document: a GraphQL error prints the source around it,
        and a document may carry a password inline. A coded refusal (FORBIDDEN, NOT_FOUND…) is an
        answer, not an incident; a document refused by parsing or validation is the client's."""
        refused = 0
        for error in errors:
            original = error.original_error
            if _unexpected(error):
                log.error("unexpected %s at %s", type(original).__name__, error.path, exc_info=original)
            elif not isinstance(original, DomainError):
                refused += 1
        if refused:
            log.info("a GraphQL document was refused (%d errors)", refused)


# The limiters add validation rules that they build as new classes in every instance, and the
# validation cache is keyed by the rules: built per request, they made every request miss the cache
# and validate again (3.5 ms a request here). Built once, the rules are the same objects each time.
_LIMIT_RULES: tuple[type[ASTValidationRule], ...] = (
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
)
# strawberry's own caches (module-level LRU caches, shared by every request)
_PARSE = ParserCache(maxsize=512).cached_parse_document
_VALIDATE = ValidationCache(maxsize=512).cached_validate_document


class Guard(CodedErrors):
    """Every per-request check of the endpoint in one extension: the depth, alias and token limits,
    the parser and validation caches, clean text, and the error masking. strawberry builds each
    extension afresh for every request and enters one context manager per hook it defines: as seven
    extensions (strawberry's limiters, caches and masking, and ours) those were seven hooks wrapped
    and entered per request, now three."""

    rules = _LIMIT_RULES

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + self.rules
        context.parse_options["max_tokens"] = MAX_TOKENS
        yield from super().on_operation()  # masks what is unexpected once the operation ran

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.graphql_document = _PARSE(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.pre_execution_errors = _VALIDATE(
            context.schema._schema, context.graphql_document, context.validation_rules
        )
        refuse_bad_text(context)
        yield


class ProductionGuard(Guard):
    """The same, and no introspection."""

    rules = (*_LIMIT_RULES, NoSchemaIntrospectionCustomRule)


def build_schema(production: bool) -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[ProductionGuard if production else Guard],  # a class: one fresh per request
        config=StrawberryConfig(disable_field_suggestions=True),
    )


def schema_sdl() -> str:
    """The schema as SDL, as committed in schema/schema.graphql (checked by the drift test)."""
    return build_schema(production=False).as_str() + "\n"


class GraphQLApp(GraphQL[Context, None]):
    def __init__(
        self,
        *,
        clock: Clock,
        ledger_key: LedgerKey,
        trust: TrustSource,
        access_tokens: AccessTokens,
        voucher_key: VoucherKey,
        public_url: str,
        production: bool,
    ) -> None:
        super().__init__(
            build_schema(production),
            graphql_ide=None if production else "graphiql",
            allow_queries_via_get=False,
        )
        self.clock = clock
        self.ledger_key = ledger_key
        self.trust = trust
        self.access_tokens = access_tokens
        self.voucher_key = voucher_key
        self.public_url = public_url
        self.production = production
        self.lazy: dict[str, Callable[[Context], Any]] = {**LOADERS, "card_trust": lambda _: trust.current()}

    def decode_json(self, data: str | bytes) -> object:
        return decode_request(data)

    def encode_json(self, data: object) -> str:
        """orjson (faster than the standard library's encoder). Text, not bytes: strawberry sends
        bytes over a WebSocket as binary frames, which the live-update clients do not read."""
        return orjson.dumps(data).decode()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        caller = await identify(request, self.access_tokens, self.clock.now())
        return Context(
            request=request,
            response=response,
            clock=self.clock,
            ledger_key=self.ledger_key,
            access_tokens=self.access_tokens,
            voucher_key=self.voucher_key,
            public_url=self.public_url,
            actor=caller.actor,
            client_address=caller.address,
            secure_cookies=self.production,
            lazy=self.lazy,
        )
