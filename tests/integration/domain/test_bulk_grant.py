"""A bulk grant large enough to take PostgreSQL's COPY path, checked against the ledger verifier."""

from domain.auth.actor import Actor, Role
from domain.points.grants import GrantRequest, GrantRow, grant_points
from domain.sql import COPY_THRESHOLD, reader, transaction

ROWS = COPY_THRESHOLD + 500


async def test_thousands_of_rows_in_one_batch(people, clock):
    await people.municipality()
    program = await people.program()
    now = clock.now()

    async def residents(sql):
        for start in range(0, ROWS, 500):
            values = ", ".join(
                f"('C{n:07d}', 'x', FALSE, FALSE, FALSE, FALSE, 'ACTIVE', $1)"
                for n in range(start, start + 500)
            )
            await sql.execute(
                "INSERT INTO residents (my_key_id, password_hash, notify_points_granted,"
                " notify_points_expired,"
                f" notify_password_changed, notify_my_key_id_changed, status, created_at) VALUES {values}",
                now,
            )

    await transaction(residents)
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
