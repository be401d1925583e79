"""A bulk grant large enough to take PostgreSQL's COPY path, checked against the ledger verifier."""

import pytest

from domain.auth.actor import Actor, Role
from domain.points.grants import GrantRequest, GrantRow, grant_points
from domain.sql import COPY_THRESHOLD, reader, transaction

ROWS = COPY_THRESHOLD + 500


async def _residents(now, count):
    async def insert(sql):
        for start in range(0, count, 500):
            values = ", ".join(
                f"('C{n:07d}', 'x', FALSE, FALSE, FALSE, FALSE, 'ACTIVE', $1)"
                for n in range(start, min(count, start + 500))
            )
            await sql.execute(
                "INSERT INTO residents (my_key_id, password_hash, notify_points_granted,"
                " notify_points_expired,"
                f" notify_password_changed, notify_my_key_id_changed, status, created_at) VALUES {values}",
                now,
            )

    await transaction(insert)


async def test_thousands_of_rows_in_one_batch(people, clock):
    await people.municipality()
    program = await people.program()
    now = clock.now()
    await _residents(now, ROWS)
    rows = [GrantRow(f"C{n:07d}", 1 + n % 50) for n in range(ROWS)]
    result = await grant_points(
        Actor(Role.OPERATOR, 1), GrantRequest(program.id, "bulk", "bulk-batch-1", rows), now
    )
    assert (result.granted, result.points) == (ROWS, sum(r.points for r in rows))
    lots = await reader().fetchval("SELECT COUNT(*) FROM lots WHERE funder_kind = 'MUNICIPALITY'")
    postings = await reader().fetchval("SELECT COUNT(*) FROM postings WHERE entry_id = $1", result.entry_id)
    assert (lots, postings) == (ROWS, ROWS + 1)
    budget = await reader().fetchval("SELECT balance FROM accounts WHERE code = 'municipality:141305'")
    assert budget == -result.points  # the budget account may go negative: it is the source of grants


async def test_a_batch_opens_the_accounts_it_needs_credited_and_adds_to_those_open(people, clock):
    await people.municipality()
    program = await people.program()
    now = clock.now()
    await _residents(now, ROWS)
    first = [GrantRow(f"C{n:07d}", 1 + n % 50) for n in range(0, ROWS, 2)]
    await grant_points(Actor(Role.OPERATOR, 1), GrantRequest(program.id, "first", "bulk-first-1", first), now)
    everyone = [GrantRow(f"C{n:07d}", 7) for n in range(ROWS)]
    await grant_points(
        Actor(Role.OPERATOR, 1), GrantRequest(program.id, "second", "bulk-second-1", everyone), now
    )
    rows = await reader().fetch(
        "SELECT r.my_key_id, a.balance, a.version FROM accounts a JOIN residents r ON r.id = a.resident_id"
        " WHERE a.program_id = $1",
        program.id,
    )
    found = {str(r["my_key_id"]): (int(r["balance"]), int(r["version"])) for r in rows}
    expected = {
        f"C{n:07d}": ((1 + n % 50 + 7, 2) if n % 2 == 0 else (7, 1)) for n in range(ROWS)
    }  # an account's version counts its changes: opened credited, then credited again
    assert found == expected
    # the ledger verifier runs after this test: each balance is the sum of its postings, lots agree


async def test_an_account_under_a_granted_label_owned_by_someone_else_stops_the_batch(people, clock):
    await people.municipality()
    program = await people.program()
    now = clock.now()
    await _residents(now, 2)
    ids = await reader().fetch(
        "SELECT id FROM residents WHERE my_key_id IN ('C0000000', 'C0000001') ORDER BY my_key_id"
    )
    first, second = (int(r["id"]) for r in ids)
    # a damaged row: the first resident's label on the second resident's account
    await transaction(
        lambda sql: sql.execute(
            "INSERT INTO accounts (code, kind, tracks_lots, negative_allowed, balance, version, created_at,"
            " resident_id, program_id) VALUES ($1, 'RESIDENT_PROGRAM', TRUE, FALSE, 0, 0, $2, $3, $4)",
            f"resident:{first}:program:{program.id}",
            now,
            second,
            program.id,
        )
    )
    rows = [GrantRow("C0000000", 5), GrantRow("C0000001", 5)]
    with pytest.raises(ValueError, match="exists with another owner"):
        await grant_points(
            Actor(Role.OPERATOR, 1), GrantRequest(program.id, "damaged", "bulk-damaged-1", rows), now
        )
    assert await reader().fetchval("SELECT COUNT(*) FROM journal_entries") == 0  # nothing was granted
    assert await reader().fetchval("SELECT COUNT(*) FROM accounts WHERE resident_id IS NOT NULL") == 1
    await transaction(lambda sql: sql.execute("DELETE FROM accounts WHERE resident_id = $1", second))
