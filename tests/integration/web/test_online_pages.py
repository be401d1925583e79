"""The pages of support events and online use, over HTTP: a held event added from the program form,
the console's online desk (items, orders handed over or cancelled), My Page's /me/online forms (with
a card session; a password session is told to use the card), and the public event page."""

from datetime import timedelta

from domain.clock import japan_date
from domain.sql import reader
from models.programs import ProgramKind, SupportEventMode
from tests.integration.graphql.points.test_support_events_and_online import ORDER, _seats
from tests.integration.identity.people import PASSWORD
from tests.integration.web.test_console_desks import _post
from tests.integration.web.test_console_grants import _sign_in


async def test_a_held_event_is_added_from_the_program_form(api, town):
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    page = (await api.get("/console/programs?lang=ja")).text
    assert 'id="program-mode"' in page and "保有型" in page and "寄付型" in page
    event = {"kind": "SUPPORT_EVENT", "name": "実証実験", "validityDays": "100", "yenPerPoint": "1"}
    event |= {"use_SHOPS": "yes", "startsOn": "2026-11-21", "endsOn": "2026-12-20", "organiser": "川崎市"}
    refused = await _post(api, "/console/programs", csrf, **(event | {"mode": "LENT"}))
    assert "保有型か寄付型か" in refused
    added = await _post(api, "/console/programs", csrf, **(event | {"mode": "HELD"}))
    assert "ポイントを追加しました" in added and "支援イベント · 保有型" in added
    assert await reader().fetchval("SELECT mode FROM programs WHERE name = '実証実験'") == "HELD"


async def test_the_online_desk_lists_hands_over_and_cancels_orders(api, people, town):
    seat = await _seats(people, town, stock=5, price=100)
    placed = []
    for n in range(2):
        answer = await people.gql(
            ORDER, town.resident.token, i=seat, q=1, p=str(town.program), k=f"desk-{n}-key"
        )
        placed.append(answer["orderItem"]["order"]["id"])
    csrf = await _sign_in(api, "municipality_admin-141305-0")
    page = (await api.get("/console/online?lang=ja")).text
    assert "引渡し待ちの注文" in page and town.resident.my_key_id in page and "多摩川花火大会 観覧席" in page
    handed = await _post(api, "/console/online/fulfil", csrf, order=placed[0])
    assert "引渡し済みにしました" in handed
    again = await _post(api, "/console/online/fulfil", csrf, order=placed[0])
    assert "すでに引渡し済みか取消済み" in again
    unconfirmed = await _post(api, "/console/online/cancel", csrf, order=placed[1])
    assert "banner-error" in unconfirmed
    assert await reader().fetchval("SELECT status FROM orders WHERE id = $1", int(placed[1])) == "PLACED"
    cancelled = await _post(api, "/console/online/cancel", csrf, order=placed[1], confirm="yes")
    assert "取り消しました" in cancelled
    assert await reader().fetchval("SELECT stock FROM items WHERE id = $1", int(seat)) == 4
    bad = await _post(
        api,
        "/console/online/items",
        csrf,
        name="入館券",
        pricePoints="",
        stock="3",
        **{f"program_{town.program}": "yes"},
    )
    assert "価格は1～1,000,000ポイントです" in bad
    added = await _post(
        api,
        "/console/online/items",
        csrf,
        name="入館券",
        pricePoints="500",
        stock="3",
        **{f"program_{town.program}": "yes"},
    )
    assert "商品を販売開始しました" in added
    restocked = await _post(api, "/console/online/restock", csrf, item=seat, add="10")
    assert "在庫を追加しました" in restocked
    assert await reader().fetchval("SELECT stock FROM items WHERE id = $1", int(seat)) == 14
    off = await _post(api, "/console/online/sale", csrf, item=seat, onSale="no")
    assert "保存しました" in off
    public = (await api.get("/m/141305?lang=ja")).text
    assert "入館券" in public and "多摩川花火大会 観覧席" not in public  # off sale: not offered


async def test_my_online_page_needs_the_card_to_move_give_or_order(api, people, town):
    today = japan_date(people.clock.now())
    drive = await people.program(
        kind=ProgramKind.SUPPORT_EVENT,
        name="図書館応援",
        starts_on=today,
        ends_on=today + timedelta(days=5),
        organiser="友の会",
        mode=SupportEventMode.DONATION,
    )
    assert (await api.get("/me/online")).headers["location"].startswith("/signin")
    await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    csrf = api.cookies.get("mykey_csrf")
    form = {"programId": str(drive.id), "fromProgramId": str(town.program), "points": "100", "csrf": csrf}
    refused = await api.post("/me/online/donate", data=form | {"key": "web-donate-1"})
    assert "notice=me.need_card" in refused.headers["location"]
    card = await people.gql(
        "mutation($p: CardProofInput!) { loginWithCard(proof: $p, useCookie: true) { token } }",
        p=await people.proof(town.resident.card),
    )
    api.cookies.set("mykey_session", card["loginWithCard"]["token"])
    page = (await api.get("/me/online?lang=ja")).text
    assert "図書館応援" in page and 'name="key"' in page
    csrf = api.cookies.get("mykey_csrf")
    form["csrf"] = csrf
    done = await api.post("/me/online/donate?lang=ja", data=form | {"key": "web-donate-2", "showName": "yes"})
    said = (await api.get(done.headers["location"])).text
    assert "図書館応援 に 100 pt を寄付しました" in said
    twice = await api.post(
        "/me/online/donate?lang=ja", data=form | {"key": "web-donate-2", "showName": "yes"}
    )
    assert twice.headers["location"] == done.headers["location"]  # pressed twice: given once
    assert await reader().fetchval("SELECT COUNT(*) FROM donations") == 1
    event = (await api.get(f"/events/{drive.id}?lang=ja")).text
    assert town.resident.my_key_id in event and "100 pt" in event  # named: no name typed, so the MyKey ID
    assert (await api.get("/events/999999")).status_code == 404
    assert (
        await api.get(f"/events/{town.program}")
    ).status_code == 404  # a regular program has no event page
