"""``mykey ledger verify``: recompute the books and name every breach.

Each check is one query over the whole ledger (set-based, so it scales to millions of rows), except
the journal's digests and checkpoint chain, which are recomputed in Python in pages of entries.
The invariant numbers are those of ../shared/guides/ledger.md.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from domain.ledger.accounts import OWNER_COLUMNS, OwnedRow, Owner, SystemAccount
from domain.ledger.rules import (
    GENESIS_HASH,
    PostingLine,
    checkpoint_hash,
    entry_digest,
    merkle_leaf,
    merkle_root,
)
from domain.ledger.signing import LedgerKey
from domain.settlement.actions import compute_lines, settlement_digest, stored_statements
from domain.sql import Sql, as_datetime
from models.ledger import AccountKind

SAMPLE = 5
PAGE = 5_000


@dataclass(frozen=True)
class Breach:
    invariant: str
    detail: str

    def __str__(self) -> str:
        return f"{self.invariant}: {self.detail}"


SET_CHECKS: list[tuple[str, str, str]] = [
    (
        "I1",
        "entry {0} does not balance (postings sum to {1})",
        "SELECT entry_id, SUM(amount) FROM postings GROUP BY entry_id HAVING SUM(amount) <> 0",
    ),
    (
        "I1",
        "entry {0} has fewer than two postings",
        "SELECT e.id FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id"
        " GROUP BY e.id HAVING COUNT(p.id) < 2",
    ),
    (
        "I1",
        "all balances together sum to {0}, not 0",
        "SELECT SUM(balance) FROM accounts HAVING SUM(balance) <> 0",
    ),
    (
        "I2",
        "account {0} stores balance {1} but its postings sum to {2}",
        "SELECT a.id, a.balance, COALESCE(p.total, 0) FROM accounts a LEFT JOIN"
        " (SELECT account_id, SUM(amount) AS total FROM postings GROUP BY account_id) p"
        " ON p.account_id = a.id WHERE a.balance <> COALESCE(p.total, 0)",
    ),
    (
        "I3",
        "account {0} has a negative balance {1}",
        "SELECT id, balance FROM accounts WHERE balance < 0 AND NOT negative_allowed",
    ),
    (
        "I3",
        "lot {0} has remaining {1} outside 0..{2}",
        "SELECT id, remaining, original FROM lots WHERE remaining < 0 OR remaining > original",
    ),
    (
        "I4",
        "account {0} holds {1} but its lots hold {2}",
        "SELECT a.id, a.balance, COALESCE(l.total, 0) FROM accounts a LEFT JOIN"
        " (SELECT account_id, SUM(remaining) AS total FROM lots GROUP BY account_id) l"
        " ON l.account_id = a.id WHERE a.tracks_lots AND a.balance <> COALESCE(l.total, 0)",
    ),
    (
        "I4",
        "lot {0} keeps {1} but its postings sum to {2}",
        "SELECT l.id, l.remaining, COALESCE(p.total, 0) FROM lots l LEFT JOIN"
        " (SELECT lot_id, SUM(amount) AS total FROM postings WHERE lot_id IS NOT NULL"
        " GROUP BY lot_id) p ON p.lot_id = l.id WHERE l.remaining <> COALESCE(p.total, 0)",
    ),
    (
        "I4",
        "posting {0} moves points of lot-tracked account {1} without naming one of its lots",
        "SELECT p.id, p.account_id FROM postings p JOIN accounts a ON a.id = p.account_id"
        " LEFT JOIN lots l ON l.id = p.lot_id"
        " WHERE a.tracks_lots AND (l.id IS NULL OR l.account_id <> p.account_id)",
    ),
    (
        "I6",
        "entry {0} names idempotency key {1!r} with no remembered request",
        "SELECT e.id, e.idempotency_key FROM journal_entries e LEFT JOIN idempotency_records r"
        " ON r.actor = e.actor AND r.key = e.idempotency_key"
        " WHERE e.idempotency_key IS NOT NULL AND r.id IS NULL",
    ),
    (
        "I6",
        "idempotency record {0} was committed without its answer",
        "SELECT id FROM idempotency_records WHERE response = ''",
    ),
]


async def _set_checks(sql: Sql) -> list[Breach]:
    breaches = []
    for invariant, message, query in SET_CHECKS:
        for row in await sql.fetch(f"{query} LIMIT {SAMPLE}"):
            breaches.append(Breach(invariant, message.format(*row.values())))
    return breaches


async def _check_digests(sql: Sql) -> tuple[list[Breach], dict[int, list[tuple[int, bytes]]]]:
    """Recompute every entry's digest; collect Merkle leaves per checkpoint."""
    breaches: list[Breach] = []
    leaves: dict[int, list[tuple[int, bytes]]] = defaultdict(list)
    last_id = 0
    while True:
        entries = await sql.fetch(
            "SELECT id, kind, actor, idempotency_key, memo, created_at, digest, checkpoint_id"
            f" FROM journal_entries WHERE id > $1 ORDER BY id LIMIT {PAGE}",
            last_id,
        )
        if not entries:
            return breaches, leaves
        first, last_id = int(entries[0]["id"]), int(entries[-1]["id"])
        lines: dict[int, list[PostingLine]] = defaultdict(list)
        for p in await sql.fetch(
            "SELECT entry_id, account_id, lot_id, amount FROM postings WHERE entry_id BETWEEN $1 AND $2",
            first,
            last_id,
        ):
            lot = None if p["lot_id"] is None else int(p["lot_id"])
            lines[int(p["entry_id"])].append(PostingLine(int(p["account_id"]), lot, int(p["amount"])))
        for e in entries:
            entry_id = int(e["id"])
            recomputed = entry_digest(
                kind=str(e["kind"]),
                actor=str(e["actor"]),
                idempotency_key=e["idempotency_key"],
                memo=str(e["memo"]),
                created_at=as_datetime(e["created_at"]),
                postings=lines[entry_id],
            )
            if recomputed != e["digest"] and len(breaches) < SAMPLE:
                breaches.append(Breach("I10", f"entry {entry_id} does not match its digest"))
            if e["checkpoint_id"] is not None:
                leaves[int(e["checkpoint_id"])].append((entry_id, merkle_leaf(entry_id, str(e["digest"]))))


async def _check_chain(
    sql: Sql, leaves: dict[int, list[tuple[int, bytes]]], key: LedgerKey | None
) -> list[Breach]:
    breaches = []
    previous_hash = GENESIS_HASH
    expected_sequence = 1
    for c in await sql.fetch("SELECT * FROM checkpoints ORDER BY sequence"):
        sequence = int(c["sequence"])
        name = f"checkpoint {sequence}"
        sealed = sorted(leaves.pop(int(c["id"]), []))
        ids = [entry_id for entry_id, _ in sealed]
        root = merkle_root([leaf for _, leaf in sealed])
        recomputed = checkpoint_hash(
            sequence=sequence,
            previous_hash=str(c["previous_hash"]),
            merkle_root=root,
            entry_count=len(ids),
            first_entry_id=ids[0] if ids else None,
            last_entry_id=ids[-1] if ids else None,
            created_at=as_datetime(c["created_at"]),
        )
        if sequence != expected_sequence:
            breaches.append(Breach("I10", f"{name} follows {expected_sequence - 1}: the chain has a gap"))
        if c["previous_hash"] != previous_hash:
            breaches.append(Breach("I10", f"{name} does not name the hash of the checkpoint before it"))
        if root != c["merkle_root"] or len(ids) != int(c["entry_count"]):
            breaches.append(Breach("I10", f"{name}: its entries no longer give its Merkle root"))
        if recomputed != c["hash"]:
            breaches.append(Breach("I10", f"{name}: its hash does not match its content"))
        if key is not None and (
            c["key_id"] != key.key_id or not key.verify(str(c["hash"]), str(c["signature"]))
        ):
            breaches.append(Breach("I10", f"{name}: the signature does not verify with the ledger key"))
        previous_hash = str(c["hash"])
        expected_sequence = sequence + 1
    for checkpoint_id in leaves:
        breaches.append(
            Breach("I10", f"entries point to checkpoint id {checkpoint_id}, which does not exist")
        )
    return breaches


@dataclass(frozen=True)
class _AccountOwner(OwnedRow):
    municipality_code: str | None

    def breach(self) -> str | None:
        try:
            owner = Owner(
                AccountKind(self.kind),
                **{c: getattr(self, c) for c in OWNER_COLUMNS},
                name=self.code if self.kind == AccountKind.SYSTEM else self.municipality_code or "",
            )
        except ValueError as exc:
            return f"account {self.id} ({self.code}): {exc}"
        if self.kind == AccountKind.SYSTEM and self.code not in set(SystemAccount):
            return f"account {self.id} ({self.code}) is a system account the platform does not know"
        if owner.label() != self.code:
            return f"account {self.id} is labelled {self.code} but its owner columns say {owner.label()}"
        return None


async def _check_owners(sql: Sql) -> list[Breach]:
    """Each account's owner columns fit its kind, and its code is the label they make (page by page,
    with the same :meth:`Owner.label` that names new accounts)."""
    breaches: list[Breach] = []
    last_id = 0
    while len(breaches) < SAMPLE:
        rows = await sql.fetch_as(
            _AccountOwner,
            "SELECT a.id, a.code, a.kind, a.tracks_lots, a.negative_allowed,"
            f" {', '.join('a.' + c for c in OWNER_COLUMNS)},"
            " m.code AS municipality_code FROM accounts a"
            " LEFT JOIN municipalities m ON m.id = a.municipality_id"
            f" WHERE a.id > $1 ORDER BY a.id LIMIT {PAGE}",
            last_id,
        )
        if not rows:
            break
        last_id = rows[-1].id
        breaches += [Breach("I12", b) for r in rows if (b := r.breach()) is not None]
    return breaches[:SAMPLE]


@dataclass(frozen=True)
class _Run:
    id: int
    municipality_id: int
    code: str
    period_start: date
    period_end: date
    digest: str
    rules: int
    entries: int


async def _check_settlements(sql: Sql) -> list[Breach]:
    """Each closed settlement still is what its entries give: its lines recomputed from the entries'
    postings, and its digest over those lines, its statements and its entry count."""
    breaches = []
    runs = await sql.fetch_as(
        _Run,
        "SELECT s.id, s.municipality_id, m.code, s.period_start, s.period_end, s.digest, s.rules,"
        " (SELECT COUNT(*) FROM settlement_entries e WHERE e.settlement_id = s.id) AS entries"
        " FROM settlements s JOIN municipalities m ON m.id = s.municipality_id WHERE s.status = 'CLOSED'"
        " ORDER BY s.id",
    )
    for run in runs:
        lines = await compute_lines(sql, run.id, run.municipality_id, run.rules)
        stored = await stored_statements(sql, run.id)
        digest = settlement_digest(run.code, run.period_start, run.period_end, run.entries, lines, stored)
        if digest != run.digest:
            breaches.append(Breach("I13", f"settlement {run.id} no longer matches its journal entries"))
        if len(breaches) >= SAMPLE:
            break
    return breaches


async def verify_ledger(sql: Sql, key: LedgerKey | None) -> list[Breach]:
    """Every breach found (a few examples per check); an empty list means the books are sound."""
    breaches = await _set_checks(sql) + await _check_owners(sql) + await _check_settlements(sql)
    digest_breaches, leaves = await _check_digests(sql)
    return breaches + digest_breaches + await _check_chain(sql, leaves, key)
