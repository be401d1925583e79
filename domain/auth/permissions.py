"""Who may call what: each operation declares one :class:`Permission`, and :func:`permit` checks it.

A permission names the kinds of caller it admits (:class:`Caller`: a resident with a password or a
card session, each staff role, a partner, each terminal kind) and, for partners, the OAuth scope the
token needs. GraphQL fields declare theirs on the field (``schema.permissions.Needs``), the domain's
access functions (``access_<thing>_by_<key>``) start with the same check, and the access-matrix
test derives its expectations from these declarations.

Nobody → UNAUTHENTICATED; a caller of the wrong kind → FORBIDDEN. What a permission cannot say
(this program belongs to your municipality, this card is still good) the access functions check.
"""

from dataclasses import dataclass
from enum import Enum, StrEnum

from domain.auth.actor import Actor, Role
from domain.errors import DomainError, ErrorCode


class Caller(StrEnum):
    """The kinds of caller a permission can admit."""

    RESIDENT_PASSWORD = "RESIDENT_PASSWORD"  # noqa: S105 - a resident whose session began with the password
    RESIDENT_CARD = "RESIDENT_CARD"  # a resident whose session began with the card
    OPERATOR = "OPERATOR"
    MUNICIPALITY_ADMIN = "MUNICIPALITY_ADMIN"
    MUNICIPALITY_STAFF = "MUNICIPALITY_STAFF"
    SHOP_STAFF = "SHOP_STAFF"
    PARTNER_STAFF = "PARTNER_STAFF"
    PARTNER = "PARTNER"
    TERMINAL_LOOKUP = "TERMINAL_LOOKUP"
    TERMINAL_PAY = "TERMINAL_PAY"
    TERMINAL_PRINT = "TERMINAL_PRINT"
    TERMINAL_GRANT = "TERMINAL_GRANT"


def caller_of(actor: Actor) -> Caller:
    if actor.role is Role.RESIDENT:
        return Caller.RESIDENT_CARD if actor.card_verified else Caller.RESIDENT_PASSWORD
    if actor.role is Role.TERMINAL:
        assert actor.terminal_kind is not None
        return Caller(f"TERMINAL_{actor.terminal_kind.value}")
    return Caller(actor.role.value)


RESIDENTS = frozenset({Caller.RESIDENT_PASSWORD, Caller.RESIDENT_CARD})
ADMINS = frozenset({Caller.OPERATOR, Caller.MUNICIPALITY_ADMIN})
OFFICERS = ADMINS | {Caller.MUNICIPALITY_STAFF}
STAFF = OFFICERS | {Caller.SHOP_STAFF, Caller.PARTNER_STAFF}
TERMINALS = frozenset(
    {Caller.TERMINAL_LOOKUP, Caller.TERMINAL_PAY, Caller.TERMINAL_PRINT, Caller.TERMINAL_GRANT}
)


@dataclass(frozen=True)
class Rule:
    callers: frozenset[Caller] | None  # None: anyone, signed in or not
    refusal: str  # what a caller of the wrong kind is told
    scope: str = ""  # the OAuth scope a partner's token needs


class Permission(Enum):
    """Every permission an operation can declare."""

    PUBLIC = Rule(None, "")
    RESIDENT = Rule(RESIDENTS, "Only a resident may do this.")
    RESIDENT_CARD = Rule(
        frozenset({Caller.RESIDENT_CARD}), "Moving or spending points needs your card: sign in with it."
    )
    SIGNED_IN = Rule(RESIDENTS | STAFF, "Only a signed-in resident or staff member may do this.")
    OPERATOR = Rule(frozenset({Caller.OPERATOR}), "Only the operator may do this.")
    MUNICIPALITY_ADMIN = Rule(ADMINS, "Only a municipality's administrator (or the operator) may do this.")
    MUNICIPALITY_STAFF = Rule(OFFICERS, "Only a municipality's staff (or the operator) may do this.")
    GRANT = Rule(
        OFFICERS | {Caller.TERMINAL_GRANT}, "Only municipality staff and GRANT terminals grant points."
    )
    PARTNER_EXCHANGE = Rule(frozenset({Caller.PARTNER}), "Only a partner may do this.", "exchange")
    PARTNER_COUPONS = Rule(
        frozenset({Caller.PARTNER, Caller.PARTNER_STAFF}), "Only a partner may do this.", "coupons"
    )
    # a partner's own books (its exchanges, statements, audit trail): its server or its staff
    PARTNER_BOOKS = Rule(
        frozenset({Caller.PARTNER, Caller.PARTNER_STAFF}), "Only a partner may do this.", "exchange"
    )
    PARTNER_STAFF = Rule(frozenset({Caller.PARTNER_STAFF}), "Only a partner's staff may do this.")
    # a partner's keys (client secret, webhook, redirect URIs): the operator, or the partner's staff
    PARTNER_KEYS = Rule(
        frozenset({Caller.OPERATOR, Caller.PARTNER_STAFF}),
        "Only the partner's staff (or the operator) may do this.",
    )
    TERMINAL = Rule(TERMINALS, "Only a terminal may do this.")
    TERMINAL_LOOKUP = Rule(frozenset({Caller.TERMINAL_LOOKUP}), "Only a LOOKUP terminal may do this.")
    TERMINAL_PAY = Rule(frozenset({Caller.TERMINAL_PAY}), "Only a PAY terminal may do this.")
    TERMINAL_GRANT = Rule(frozenset({Caller.TERMINAL_GRANT}), "Only a GRANT terminal may do this.")
    VOUCHER_ISSUE = Rule(
        frozenset({Caller.RESIDENT_CARD, Caller.TERMINAL_PRINT}),
        "Vouchers are issued by a resident with the card, or printed by a PRINT terminal.",
    )
    VOUCHER_REDEEM = Rule(
        frozenset({Caller.SHOP_STAFF, Caller.TERMINAL_PAY}),
        "Only shop staff and PAY terminals redeem vouchers.",
    )
    SHOP_STAFF = Rule(frozenset({Caller.SHOP_STAFF}), "Only a shop's staff may do this.")
    SHOP = Rule(
        frozenset({Caller.SHOP_STAFF, Caller.TERMINAL_PAY}),
        "Only a shop's staff and PAY terminals follow its redemptions.",
    )

    @property
    def rule(self) -> Rule:
        rule: Rule = self.value
        return rule

    def admits(self, actor: Actor | None) -> bool:
        rule = self.rule
        if rule.callers is None:
            return True
        if actor is None or caller_of(actor) not in rule.callers:
            return False
        return not self._needs_scope(actor) or rule.scope in actor.scopes

    def _needs_scope(self, actor: Actor) -> bool:
        """A partner's server holds scopes; its staff, signed in to the console, act without them."""
        return bool(self.rule.scope) and actor.role is Role.PARTNER

    def admits_caller(self, caller: Caller) -> bool:
        """Whether a caller of this kind (with any scope it needs) is admitted."""
        return self.rule.callers is None or caller in self.rule.callers

    def describe(self) -> str:
        rule = self.rule
        if rule.callers is None:
            return "anyone"
        names = ", ".join(sorted(c.value for c in rule.callers))
        return names + (f" (scope {rule.scope})" if rule.scope else "")


class Refused(DomainError):
    """A refusal by :func:`permit`; ``card_would_do``: the caller is a resident with a password
    session whom the same permission admits with a card session (the one refusal that a page
    answers with "sign in with your card")."""

    def __init__(self, code: ErrorCode, message: str, card_would_do: bool = False) -> None:
        super().__init__(code, message)
        self.card_would_do = card_would_do


def permit(actor: Actor | None, permission: Permission) -> Actor:
    """``actor``, if ``permission`` admits it; UNAUTHENTICATED for nobody, FORBIDDEN otherwise.
    (For PUBLIC, use ``permission.admits``: there may be no actor to return.)"""
    rule = permission.rule
    if actor is None:
        raise Refused(ErrorCode.UNAUTHENTICATED, "Sign in first.")
    if rule.callers is not None and caller_of(actor) not in rule.callers:
        card = caller_of(actor) is Caller.RESIDENT_PASSWORD and Caller.RESIDENT_CARD in rule.callers
        raise Refused(ErrorCode.FORBIDDEN, rule.refusal, card_would_do=card)
    if permission._needs_scope(actor) and rule.scope not in actor.scopes:
        raise Refused(
            ErrorCode.FORBIDDEN,
            f"This token lacks the '{rule.scope}' scope: ask /oauth/token for scope={rule.scope}.",
        )
    return actor
