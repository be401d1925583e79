"""Vouchers: issued from points or printed from the budget, redeemed once, returned at expiry."""

import asyncio
from datetime import timedelta

import pytest

from domain.jobs.daily import run_daily
from domain.points.accounts import shop_balance
from domain.sql import reader, transaction
from domain.vouchers.tokens import token_from_text
from models.staff import StaffRole
from tests.integration.faults import break_another_unique

ISSUE = (
    "mutation($p: ID!, $v: Int!) { issueVoucher(programId: $p, faceValue: $v)"
    " { voucher { serial token url qrSvg faceValue expiresAt status } userErrors { code field } } }"
)
REDEEM = (
    "mutation($t: String!) { redeemVoucher(token: $t) { voucher { status faceValue }"
    " redemption { shopName } userErrors { code message } } }"
)
LOGIN_CLERK = (
    'mutation { loginStaff(login: "clerk", password: "a long staff password", useCookie: true)'
    " { csrfToken } }"
)
BALANCE = "{ me { balances { points } vouchers { serial status } } }"


async def _issue(people, town, value=300, token=None):
    data = await people.gql(ISSUE, token or town.resident.token, p=str(town.program), v=value)
    return data["issueVoucher"]


async def _redeem(people, staff, token):
    return (await people.gql(REDEEM, staff, t=token))["redeemVoucher"]


async def test_a_resident_voucher_is_paid_from_points_and_redeemed_once(people, town):
    issued = await _issue(people, town)
    voucher = issued["voucher"]
    assert voucher["faceValue"] == 300 and voucher["status"] == "ISSUED"
    assert len(voucher["serial"]) == 9 and voucher["serial"][4] == "-"
    assert voucher["url"] == f"HTTP://127.0.0.1:8000/V/{voucher['token']}"  # upper case: alphanumeric QR
    assert voucher["qrSvg"].count("<path") == 1 and "<rect" not in voucher["qrSvg"]
    me = (await people.gql(BALANCE, town.resident.token))["me"]
    assert me["balances"] == [{"points": 700}]
    assert me["vouchers"] == [{"serial": voucher["serial"], "status": "ISSUED"}]
    done = await _redeem(people, town.clerk, voucher["url"].lower())  # the QR code's text, any case
    assert done["voucher"] == {"status": "REDEEMED", "faceValue": 300}
    assert done["redemption"] == {"shopName": "ブレーメン通り 商店"}
    again = await _redeem(people, town.pay, voucher["token"])
    assert again["userErrors"][0]["code"] == "ALREADY_REDEEMED"
    assert "ブレーメン通り 商店" in again["userErrors"][0]["message"]
    assert await shop_balance(reader(), town.shop) == 300


async def test_refusals_are_clear_and_change_nothing(people, town, clock):
    voucher = (await _issue(people, town))["voucher"]
    token = voucher["token"]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert (await _redeem(people, town.clerk, altered))["userErrors"][0]["code"] == "NOT_FOUND"
    assert (await _redeem(people, town.clerk, "not a voucher"))["userErrors"][0]["code"] == "NOT_FOUND"
    await people.municipality("131164")
    other_program = await people.program("131164")
    elsewhere = await people.shop_accepting([other_program.id], code="131164", name="よその店")
    other_clerk = await people.staff(StaffRole.SHOP_STAFF, shop_id=elsewhere, login="other-clerk")
    assert (await _redeem(people, other_clerk, token))["userErrors"][0]["code"] == "NOT_ACCEPTED_HERE"
    assert (await _redeem(people, town.resident.token, token))["userErrors"][0]["code"] == "FORBIDDEN"
    clock.advance(timedelta(days=31))
    assert (await _redeem(people, town.clerk, token))["userErrors"][0]["code"] == "EXPIRED"
    assert await reader().fetch("SELECT * FROM voucher_redemptions") == []


async def test_issuing_needs_the_card_and_enough_points(people, town):
    password = (
        await people.gql(
            'mutation($id: String!) { loginWithPassword(myKeyId: $id, password: "abc123XYZ") { token } }',
            id=town.resident.my_key_id,
        )
    )["loginWithPassword"]["token"]
    assert (await _issue(people, town, token=password))["userErrors"] == [
        {"code": "FORBIDDEN", "field": None}
    ]
    assert (await _issue(people, town, value=1001))["userErrors"] == [
        {"code": "INSUFFICIENT_POINTS", "field": "faceValue"}
    ]
    assert (await _issue(people, town, value=0))["userErrors"][0]["field"] == "faceValue"
    assert await reader().fetchval("SELECT COUNT(*) FROM vouchers") == 0


async def test_an_unused_resident_voucher_returns_its_value(people, town, clock):
    voucher = (await _issue(people, town, 250))["voucher"]
    clock.advance(timedelta(days=31))
    report = await run_daily(clock)
    assert (report.vouchers.vouchers, report.vouchers.points) == (1, 250)
    me = (await people.gql(BALANCE, await people.login(town.resident)))["me"]
    assert me["vouchers"] == [{"serial": voucher["serial"], "status": "EXPIRED"}]
    held = await reader().fetchval(
        "SELECT SUM(remaining) FROM lots l JOIN accounts a ON a.id = l.account_id WHERE a.code LIKE"
        " 'resident:%'"
        " AND l.expires_at > $1",
        clock.now(),
    )
    assert held == 1000  # 750 left after the voucher, and its 250 back
    returned = await reader().fetchrow("SELECT original, created_at FROM lots ORDER BY id DESC LIMIT 1")
    assert returned["original"] == 250  # a new lot, dated today, with the program's validity
    assert (await run_daily(clock)).vouchers.vouchers == 0


async def test_a_printed_voucher_comes_from_the_budget_and_returns_to_it(people, town, clock):
    printer = await people.terminal("PRINT", town.admin)
    printed = (await _issue(people, town, 500, token=printer))["voucher"]
    assert printed["faceValue"] == 500
    budget = "SELECT balance FROM accounts WHERE code = 'municipality:141305'"
    before = await reader().fetchval(budget)
    clock.advance(timedelta(days=31))
    await run_daily(clock)
    assert await reader().fetchval(budget) == before + 500


async def test_the_voucher_page_and_images(people, town, api):
    voucher = (await _issue(people, town))["voucher"]
    page = await api.get(f"/v/{voucher['token']}")
    assert page.status_code == 200 and "300 pt" in page.text and voucher["serial"] in page.text
    assert "使えます" in page.text and "<form" not in page.text  # no redeem button for the public
    upper = await api.get(f"/V/{voucher['token']}")
    assert upper.status_code == 200
    english = await api.get(f"/v/{voucher['token']}?lang=en")
    assert "Usable until" in english.text and "Usable" in english.text
    svg = await api.get(f"/v/{voucher['token']}.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and len(svg.content) < 12_000
    png = await api.get(f"/v/{voucher['token']}.png")
    assert png.content.startswith(b"\x89PNG")
    printed = await api.get(f"/v/{voucher['token']}/print?paper=58")
    assert "/static/receipt-58.css" in printed.text
    assert (await api.get("/v/NOTATOKEN")).status_code == 404


async def test_shop_staff_redeem_from_the_page_with_csrf(people, town, api):
    voucher = (await _issue(people, town))["voucher"]
    signed_in = await api.post(
        "/graphql",
        json={"query": LOGIN_CLERK},
    )
    csrf = signed_in.json()["data"]["loginStaff"]["csrfToken"]
    page = await api.get(f"/v/{voucher['token']}")
    assert "<form" in page.text
    forged = await api.post(f"/v/{voucher['token']}/redeem", data={"csrf": "guess"})
    assert forged.status_code == 403
    done = await api.post(f"/v/{voucher['token']}/redeem", data={"csrf": csrf})
    assert done.status_code == 200 and "✓ 300 pt" in done.text
    again = await api.post(f"/v/{voucher['token']}/redeem", data={"csrf": csrf})
    assert "ALREADY_REDEEMED" in again.text


@pytest.mark.postgres_only
async def test_one_hundred_concurrent_redemptions_give_exactly_one(people, town):
    token = (await _issue(people, town, 100))["voucher"]["token"]
    gate = asyncio.Event()

    async def scan():
        await gate.wait()
        return await _redeem(people, town.clerk, token)

    tasks = [asyncio.create_task(scan()) for _ in range(100)]
    await asyncio.sleep(0.1)
    gate.set()
    answers = await asyncio.gather(*tasks)
    codes = [a["userErrors"][0]["code"] if a["userErrors"] else "OK" for a in answers]
    assert codes.count("OK") == 1
    assert codes.count("ALREADY_REDEEMED") == 99
    assert await reader().fetchval("SELECT COUNT(*) FROM voucher_redemptions") == 1
    assert await shop_balance(reader(), town.shop) == 100


@pytest.mark.postgres_only
async def test_a_naive_check_then_write_twin_would_redeem_many_times(people, town):
    """The same harness against a read-then-write redemption: it must let several through."""
    token = (await _issue(people, town, 100))["voucher"]["token"]
    serial = token_from_text(token)[:8]
    gate = asyncio.Event()

    async def naive():
        await gate.wait()

        async def work(sql):
            status = await sql.fetchval("SELECT status FROM vouchers WHERE serial = $1", serial)
            await asyncio.sleep(0.01)
            if status != "ISSUED":
                return False
            await sql.execute(
                "UPDATE vouchers SET status = 'ISSUED' WHERE serial = $1", serial
            )  # no state change
            return True

        return await transaction(work)

    tasks = [asyncio.create_task(naive()) for _ in range(100)]
    await asyncio.sleep(0.1)
    gate.set()
    assert sum(await asyncio.gather(*tasks)) > 1


async def test_a_card_session_moves_no_points_while_the_revocation_list_is_stale(people, town):
    """product.md §11: a stale CRL refuses every point-moving operation, a card session's too."""
    people.later(hours=26, seconds=1)  # the CRL is now more than 2 hours past its nextUpdate
    await people.login(town.resident)  # signing in reads nothing that moves: it still works
    stale = await _issue(people, town, 100)
    assert stale["userErrors"] == [{"code": "CARD_INVALID", "field": "proof"}]
    moved = await people.gql(
        "mutation($p: ID!) { moveReservedPoints(programId: $p, points: 1) { userErrors { code } } }",
        town.resident.token,
        p=str(town.program),
    )
    assert moved["moveReservedPoints"]["userErrors"] == [{"code": "CARD_INVALID"}]
    assert await reader().fetchval("SELECT COUNT(*) FROM vouchers") == 0
    await people.fresh_crl()
    assert (await _issue(people, town, 100))["userErrors"] == []


async def test_another_constraint_failing_in_a_redemption_is_a_fault_never_already_used(
    people, town, monkeypatch
):
    from domain.vouchers import actions

    voucher = (await _issue(people, town))["voucher"]
    breaks = []

    async def publish_breaking_another_table(sql, event):  # a fault inside the redemption's work
        breaks.append(event.kind)
        await break_another_unique(sql)

    monkeypatch.setattr(actions, "publish", publish_breaking_another_table)
    response = await people.post_gql(REDEEM, town.clerk, t=voucher["token"])
    assert breaks == ["VOUCHER_REDEEMED"]
    body = response.json()
    assert "ALREADY_REDEEMED" not in response.text  # the voucher was not used before: no such answer
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert "municipalities" not in response.text  # the fault's text stays in the server's log
