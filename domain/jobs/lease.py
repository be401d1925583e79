"""A lease in the database: several servers may start a batch job, one runs it.

``acquire`` takes the named lease if nobody holds it or the holder's lease ran out (a crashed run);
``release`` gives it back. Works the same on both databases (one guarded upsert).
"""

from datetime import datetime, timedelta

from domain.sql import transaction

LEASE = timedelta(hours=1)


async def acquire(name: str, holder: str, now: datetime, lease: timedelta = LEASE) -> bool:
    won = await transaction(
        lambda sql: sql.fetchval(
            "INSERT INTO job_leases (name, holder, leased_until) VALUES ($1, $2, $3)"
            " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, leased_until = excluded.leased_until"
            " WHERE job_leases.leased_until <= $4 RETURNING holder",
            name,
            holder,
            now + lease,
            now,
        )
    )
    return bool(won == holder)


async def release(name: str, holder: str, now: datetime) -> None:
    await transaction(
        lambda sql: sql.execute(
            "UPDATE job_leases SET leased_until = $3 WHERE name = $1 AND holder = $2", name, holder, now
        )
    )
