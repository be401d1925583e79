"""Coupon batches under contention (PostgreSQL): a sealed batch's codes leave exactly once however many
downloads race, and a coupon raced between a resident's redemption and the partner's void ends as
exactly one of the two — the points credited are the redeemed coupons', to the point."""

import asyncio

import pytest

from domain.errors import DomainError, ErrorCode
from domain.partners.coupons import download_batch, issue_batch, void_batch
from domain.points.exchanges import redeem_coupon
from domain.sql import reader
from models.staff import StaffRole

pytestmark = pytest.mark.postgres_only


async def _partner_staff(people):
    await people.partner()
    client_id = await reader().fetchval("SELECT client_id FROM partners")
    token = await people.staff(StaffRole.PARTNER_STAFF, login="coupon.staff", partner_client_id=client_id)
    return await people.actor_of(token)


async def test_racing_downloads_give_the_codes_once(people, town):
    staff = await _partner_staff(people)
    now = people.clock.now()
    issued = await issue_batch(staff, 50, 100, None, now, sealed=True)
    assert issued.codes == [] and issued.seal_key
    gate = asyncio.Event()

    async def one():
        await gate.wait()
        try:
            return await download_batch(staff, issued.batch_id, issued.seal_key, now)
        except DomainError as error:
            return error.code

    tasks = [asyncio.create_task(one()) for _ in range(20)]
    await asyncio.sleep(0.05)
    gate.set()
    answers = await asyncio.gather(*tasks)
    files = [a for a in answers if isinstance(a, bytes)]
    assert len(files) == 1 and files[0].count(b"\r\n") == 51
    assert set(answers) - {files[0]} == {ErrorCode.ALREADY_REDEEMED}
    assert await reader().fetchval("SELECT sealed_codes FROM coupon_batches") is None


async def test_a_redemption_and_a_void_never_both_win(people, town):
    staff = await _partner_staff(people)
    resident = await people.actor_of(town.resident.token)
    now = people.clock.now()
    # 8 coupons: every refusal counts against the resident's 10 failed tries an hour, and the test is
    # about the race (a 9th and later refusal could say RATE_LIMITED instead of EXPIRED)
    issued = await issue_batch(staff, 8, 100, None, now)
    gate = asyncio.Event()

    async def redeem(code):
        await gate.wait()
        try:
            return (await redeem_coupon(resident, code, now, f"10.0.0.{len(code)}")).points
        except DomainError as error:
            return error.code

    async def void():
        await gate.wait()
        return await void_batch(staff, issued.batch_id, now)

    tasks = [asyncio.create_task(redeem(c)) for c in issued.codes] + [asyncio.create_task(void())]
    await asyncio.sleep(0.05)
    gate.set()
    *redeemed, voided = await asyncio.gather(*tasks)
    won = [r for r in redeemed if r == 100]
    assert set(redeemed) - {100} <= {ErrorCode.EXPIRED}  # "the partner withdrew this coupon"
    assert len(won) + voided.coupons == 8
    counts = await reader().fetchrow(
        "SELECT COUNT(*) FILTER (WHERE redeemed_at IS NOT NULL) AS used,"
        " COUNT(*) FILTER (WHERE voided_at IS NOT NULL) AS void,"
        " COUNT(*) FILTER (WHERE redeemed_at IS NOT NULL AND voided_at IS NOT NULL) AS both FROM coupons"
    )
    assert (counts["used"], counts["void"], counts["both"]) == (len(won), voided.coupons, 0)
    credited = await reader().fetchint(
        "SELECT COALESCE(SUM(points), 0) FROM coupons WHERE entry_id IS NOT NULL"
    )
    assert credited == 100 * len(won)
