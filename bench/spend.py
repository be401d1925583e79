"""What ``spendPoints`` needs under load (``bench/vouchers.py`` measures it): a PAY terminal of the
bench's shop with its bearer token, residents with bound cards and points in the shop's program, a
trusted card CA with a current CRL, and one request body per payment, each carrying a fresh proof.

A real terminal asks for a challenge, the card signs it, the terminal pays with the proof: two
requests per payment. The bench measures the payment alone, as pgbench measures the spend alone: the
challenges are written beforehand (purpose ``TERMINAL:<id>``, as ``issue_challenge`` writes them)
and signed beforehand by the residents' virtual cards, so each body is a complete, valid payment of
1 point with its own idempotency key. Every proof is checked in full by the server (nonce used up,
chain, CRL, signature).
"""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from domain.auth.tokens import new_token
from domain.cards.authority import CardAuthority
from domain.cards.proof import terminal_purpose
from domain.cards.revocation import import_crl, serial_hex
from domain.cards.trust import CardTrust
from domain.cards.virtual import VirtualCard
from domain.ledger.bulk import Credit, post_credits
from domain.ledger.journal import Funder
from domain.municipalities.queries import get_municipality_by_code
from domain.points import accounts
from domain.sql import Sql, bulk_insert, transaction
from models.ledger import FunderKind

SPEND = (
    "mutation($p: CardProofInput!, $n: Int!, $k: String!) { spendPoints(proof: $p, amount: $n,"
    " idempotencyKey: $k) { spend { amount balanceAfter } userErrors { code } } }"
)
PAID = '"userErrors":[]'  # in every answer that paid
RESIDENTS = 64  # whose accounts the payments spread over (a resident's payments queue on its row locks)
POINTS_EACH = 1_000_000


@dataclass(frozen=True)
class SpendLoad:
    terminal: int  # the PAY terminal
    bearer: str  # its token
    proofs: list[dict[str, str]]  # one CardProofInput per payment, each for its own challenge

    def bodies(self) -> list[str]:
        """One GraphQL request per payment, in the order they are to be sent."""
        return [
            json.dumps(
                {"query": SPEND, "variables": {"p": proof, "n": 1, "k": payment_key(n)}},
                separators=(",", ":"),
            )
            for n, proof in enumerate(self.proofs)
        ]


def payment_key(n: int) -> str:
    return f"bench-pay-{n:07d}"


async def _terminal(sql: Sql, municipality: int, shop: int, now: datetime) -> tuple[int, str]:
    token, token_hash = new_token("mkt")
    terminal = await sql.fetchval(
        "INSERT INTO terminals (kind, name, municipality_id, shop_id, status, activation_code_hash,"
        " activation_expires_at, token_hash, activated_at, created_at)"
        " VALUES ('PAY', 'レジ 1', $1, $2, 'ACTIVE', $3, $4, $5, $4, $4) RETURNING id",
        municipality,
        shop,
        secrets.token_hex(32),
        now,
        token_hash,
    )
    return int(terminal), token


async def _residents(sql: Sql, program: int, cards: list[VirtualCard], now: datetime) -> None:
    """A resident per card, the card bound, POINTS_EACH points granted through the ledger's bulk path."""
    rows = await bulk_insert(
        sql,
        "residents",
        (
            ("my_key_id", "text"),
            ("password_hash", "text"),
            ("notify_points_granted", "boolean"),
            ("notify_points_expired", "boolean"),
            ("notify_password_changed", "boolean"),
            ("notify_my_key_id_changed", "boolean"),
            ("status", "text"),
            ("created_at", "timestamptz"),
        ),
        [(f"SPEND{n:03d}", "x", False, False, False, False, "ACTIVE", now) for n in range(len(cards))],
        returning="id, my_key_id",
    )
    ids = [int(r["id"]) for r in sorted(rows, key=lambda r: str(r["my_key_id"]))]
    await bulk_insert(
        sql,
        "cards",
        (
            ("resident_id", "bigint"),
            ("issuer", "text"),
            ("serial", "text"),
            ("fingerprint", "text"),
            ("not_before", "timestamptz"),
            ("not_after", "timestamptz"),
            ("bound_at", "timestamptz"),
        ),
        [
            (
                resident,
                card.certificate.issuer.rfc4514_string(),
                serial_hex(card.certificate.serial_number),
                hashlib.sha256(card.certificate.public_bytes(serialization.Encoding.DER)).hexdigest(),
                card.certificate.not_valid_before_utc,
                card.certificate.not_valid_after_utc,
                now,
            )
            for resident, card in zip(ids, cards, strict=True)
        ],
    )
    town = await get_municipality_by_code(sql, "141305", "code")
    budget = await accounts.open_budget(sql, town, now)
    await post_credits(
        sql,
        kind="GRANT",
        actor="bench",
        now=now,
        source=budget,
        credits=[Credit(accounts.resident_program(r, program), POINTS_EACH) for r in ids],
        funder=Funder(FunderKind.MUNICIPALITY, "141305"),
        expires_at=now + timedelta(days=100),
    )


async def prepare_spends(var: Path, program: int, shop: int, count: int, now: datetime) -> SpendLoad:
    """Everything ``count`` payments need; call before the servers start (they read the CA at start)."""
    authority = CardAuthority.init(var / "card-ca", now)
    await import_crl(authority.crl(now), CardTrust.from_file(authority.directory / "ca.pem"), now)
    cards = [VirtualCard.from_pem(authority.issue_card(now)) for _ in range(RESIDENTS)]
    nonces = [secrets.token_urlsafe(32) for _ in range(count)]

    async def work(sql: Sql) -> tuple[int, str]:
        municipality = int(await sql.fetchval("SELECT id FROM municipalities WHERE code = '141305'"))
        terminal, token = await _terminal(sql, municipality, shop, now)
        await _residents(sql, program, cards, now)
        await bulk_insert(
            sql,
            "card_challenges",
            (
                ("nonce", "text"),
                ("purpose", "text"),
                ("created_at", "timestamptz"),
                ("expires_at", "timestamptz"),
            ),
            [(n, terminal_purpose(terminal), now, now + timedelta(hours=2)) for n in nonces],
        )
        return terminal, token

    terminal, token = await transaction(work)
    return SpendLoad(terminal, token, [cards[n % RESIDENTS].prove(nonce) for n, nonce in enumerate(nonces)])
