"""The resident's server-rendered pages: sign-in, My Page, sign-out; Japanese and English; light."""

import json
import re
from pathlib import Path

import pytest

from domain.sql import reader
from tests.integration.identity.people import PASSWORD

MESSAGES = Path(__file__).resolve().parents[3] / "web" / "messages"


def test_the_catalogues_have_the_same_keys():
    ja = json.loads((MESSAGES / "ja.json").read_text(encoding="utf-8"))
    en = json.loads((MESSAGES / "en.json").read_text(encoding="utf-8"))
    assert set(ja) == set(en)


@pytest.mark.parametrize(
    ("lang", "title", "switch"), [("ja", "ログイン", "English"), ("en", "Sign in", "日本語")]
)
async def test_the_sign_in_page_in_both_languages(api, db, lang, title, switch):
    page = await api.get(f"/signin?lang={lang}")
    assert page.status_code == 200
    assert f'<html lang="{lang}">' in page.text and f"<h1>{title}</h1>" in page.text and switch in page.text
    assert 'autocomplete="username"' in page.text and '<label for="pw">' in page.text
    css = await api.get("/static/app.css")
    assert css.status_code == 200
    assert len(page.content) + len(css.content) < 100_000  # the first page, without images


async def test_sign_in_then_my_page_then_sign_out(api, people, town):
    refused = await api.post(
        "/signin?lang=en", data={"myKeyId": town.resident.my_key_id, "password": "wrong123"}
    )
    assert refused.status_code == 401 and "Could not sign in" in refused.text
    signed_in = await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    assert signed_in.status_code == 303 and signed_in.headers["location"].startswith("/me")
    cookie = next(c for c in signed_in.headers.get_list("set-cookie") if c.startswith("mykey_session="))
    assert "HttpOnly" in cookie
    me = await api.get("/me?lang=ja")
    assert me.status_code == 200
    assert "1,000 pt" in me.text  # thousands separators and 「pt」
    assert "川崎市 川崎市ポイント" in me.text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日（[月火水木金土日]）", me.text)
    english = await api.get("/me?lang=en")
    assert "My Page" in english.text and "Points" in english.text
    csrf = api.cookies.get("mykey_csrf")
    out = await api.post("/signout", data={"csrf": csrf})
    assert out.status_code == 303
    api.cookies.delete("mykey_session")
    assert (await api.get("/me")).status_code == 303  # back to sign-in


async def test_my_page_without_a_session_goes_to_sign_in(api, db):
    response = await api.get("/me?lang=en")
    assert response.status_code == 303 and response.headers["location"] == "/signin?lang=en"


async def test_the_home_page(api, db):
    home = await api.get("/?lang=en")
    assert "MyKey Points" in home.text and 'href="/signin?lang=en"' in home.text


async def test_the_counter_page_and_its_barcode(api, db):
    page = await api.get("/counter?lang=en")
    assert page.status_code == 200 and "Test the connection" in page.text
    assert 'data-terminal-ping-ok="Connected ({time})"' in page.text  # filled in by the script
    svg = await api.get("/counter/barcode.svg?value=789")
    assert svg.headers["content-type"] == "image/svg+xml" and b"<svg" in svg.content
    for bad in ("", "x" * 41, "日本"):
        assert (await api.get("/counter/barcode.svg", params={"value": bad})).status_code == 400


async def test_pages_use_the_design_tokens_from_npm(api, db):
    page = await api.get("/signin")
    assert '<link rel="stylesheet" href="/vendor/design-tokens/tokens.css">' in page.text
    tokens = await api.get("/vendor/design-tokens/tokens.css")
    assert tokens.status_code == 200 and "--color-primitive-blue-900" in tokens.text
    css = (await api.get("/static/app.css")).text
    assert "var(--color-primitive-blue-900" in css
    assert len(page.content) + len(css) + len(tokens.content) < 100_000


async def test_my_page_forms_change_settings_and_password(api, people, town):
    await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    csrf = api.cookies.get("mykey_csrf")
    saved = await api.post(
        "/me/settings?lang=en",
        data={"csrf": csrf, "email": "ichiro@example.jp", "pointsExpired": "on", "basic": "141305"},
    )
    assert saved.headers["location"].startswith("/me/settings?")  # back where the form was
    assert "Saved" in (await api.get(saved.headers["location"])).text
    page = (await api.get("/me/settings?lang=en")).text
    assert 'value="ichiro@example.jp"' in page and 'name="pointsExpired" checked' in page
    forged = await api.post(
        "/me/password", data={"csrf": "guess", "current": PASSWORD, "new": "new12345", "new2": "new12345"}
    )
    assert forged.headers["location"].startswith("/signin")
    changed = await api.post(
        "/me/password", data={"csrf": csrf, "current": PASSWORD, "new": "new12345", "new2": "new12345"}
    )
    assert changed.headers["location"].startswith("/me/settings")
    relogin = await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": "new12345"})
    assert relogin.status_code == 303


async def test_my_page_shows_only_its_own_notices_never_text_from_the_link(api, town):
    await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    forged = await api.get("/me?lang=en&notice=Your+account+is+closed.+Call+0120-000-000")
    assert forged.status_code == 200 and "0120-000-000" not in forged.text
    saved = await api.get("/me?lang=en&notice=me.saved")
    assert "Saved." in saved.text
    refused = await api.get("/me?lang=en&notice=error.INSUFFICIENT_POINTS&points=%EF%BC%95")
    assert 'class="banner banner-error" role="alert"' in refused.text
    unknown = await api.get("/me?lang=en&notice=error.INSUFFICIENT_POINTS.made.up")
    assert "banner-error" not in unknown.text  # only the catalogue's own keys
    moved = await api.get(f"/me?lang=en&notice=me.move_done&points=800&program={town.program}")
    assert "Moved 800 pt to" in moved.text and "川崎市ポイント" in moved.text


async def test_a_shop_staff_session_on_my_page_goes_to_sign_in_not_an_error(api, town):
    from tests.integration.graphql.spending.test_vouchers import LOGIN_CLERK

    await api.post("/graphql", json={"query": LOGIN_CLERK})
    response = await api.get("/me?lang=en")
    assert response.status_code == 303 and response.headers["location"] == "/signin?lang=en"


async def test_sign_in_with_impossible_values_is_answered_before_the_database(api, db):
    from domain.sql import reader

    huge = {"myKeyId": "A" * 500_000, "password": "x"}
    answer = await api.post("/signin?lang=en", data=huge)
    assert answer.status_code == 401 and "Could not sign in" in answer.text
    nul = await api.post("/signin?lang=en", data={"myKeyId": "AB\x00CD123", "password": "p" * 40})
    assert nul.status_code == 401
    longest = await reader().fetchval("SELECT MAX(LENGTH(bucket)) FROM rate_limit_windows")
    assert longest is not None and longest < 64  # only the per-address count was kept


async def test_use_your_card_is_said_only_where_the_card_is_missing(api, town):
    from domain.auth.actor import Actor, Role
    from domain.auth.permissions import Permission, permit
    from domain.errors import DomainError, ErrorCode
    from web.resident import Notice

    await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    csrf = api.cookies.get("mykey_csrf")
    refused = await api.post(
        "/me/vouchers", data={"programId": str(town.program), "faceValue": "100", "csrf": csrf}
    )
    assert "notice=me.need_card" in refused.headers["location"]  # a password session cannot move points
    other = Notice.refusal(DomainError(ErrorCode.FORBIDDEN, "This MyKey ID is suspended."))
    assert other.key == "error.FORBIDDEN"  # a suspended ID is not told to sign in with its card
    # a password session refused what only the operator may do: not a matter of the card either
    with pytest.raises(DomainError) as operator_only:
        permit(Actor(Role.RESIDENT, 1), Permission.OPERATOR)
    assert Notice.refusal(operator_only.value).key == "error.FORBIDDEN"
    with pytest.raises(DomainError) as card_only:
        permit(Actor(Role.RESIDENT, 1), Permission.VOUCHER_ISSUE)
    assert Notice.refusal(card_only.value).key == "me.need_card"


async def test_my_page_keeps_the_amount_after_a_refusal_and_shows_what_can_be_used(api, people, town):
    from tests.integration.graphql.spending.test_spend_points import _spend

    assert (await _spend(people, town, 300, key="my-page-spend"))["userErrors"] == []
    card = await people.gql(
        "mutation($p: CardProofInput!) { loginWithCard(proof: $p, useCookie: true) { token } }",
        p=await people.proof(town.resident.card),
    )
    api.cookies.set("mykey_session", card["loginWithCard"]["token"])
    page = (await api.get("/me?lang=ja")).text
    assert '<p class="big-number" id="total">700 pt</p>' in page
    assert "川崎市 川崎市ポイント（使える 700 pt）" in page
    assert 'name="quick" value="500"' in page and 'name="quick" value="1000"' not in page  # only what fits
    history = page[page.index("<h2>履歴</h2>") :]
    assert "ブレーメン通り 商店" in history and "−300 pt" in history and "+400 pt" in history
    assert "ボランティア参加" in history and "川崎市 川崎市ポイント:" not in history
    csrf = api.cookies.get("mykey_csrf")
    refused = await api.post(
        "/me/vouchers?lang=ja", data={"programId": str(town.program), "faceValue": "5000", "csrf": csrf}
    )
    again = (await api.get(refused.headers["location"])).text
    assert 'class="banner banner-error" role="alert"' in again and 'value="5000"' in again  # kept
    quick = await api.post(
        "/me/vouchers?lang=ja",
        data={"programId": str(town.program), "faceValue": "", "quick": "500", "csrf": csrf},
    )
    assert quick.headers["location"].startswith("/v/")  # one tap: a 500 pt voucher


async def test_a_partner_link_from_its_page_takes_one_tap_and_can_be_removed(api, people, town):
    await people.partner(name="ANAマイレージ")
    code = await reader().fetchval("SELECT s.code FROM services s JOIN partners p ON p.service_id = s.id")
    signed_in = await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    assert signed_in.status_code == 303
    csrf = api.cookies.get("mykey_csrf")
    asked = (await api.get(f"/me/settings?lang=ja&link={code}&customer=AMC-0012345")).text
    assert "ANAマイレージ のお客様番号 AMC-0012345" in asked and 'value="AMC-0012345"' in asked
    assert "csrf.js" in asked  # the page's forms carry the CSRF token
    odd = (await api.get(f"/me/settings?lang=ja&link={code}&customer=<script>")).text
    assert "<script>" not in odd.split("<main")[1].split("</main>")[0].replace(
        '<script type="application/json"', ""
    )
    linked = await api.post(
        "/me/links", data={"csrf": csrf, "serviceCode": code, "customerId": "AMC-0012345"}
    )
    assert linked.headers["location"].startswith("/me?") and "me.linked" in linked.headers["location"]
    settings = (await api.get("/me/settings?lang=ja")).text
    assert "ANAマイレージ: AMC-0012345" in settings and "ANAマイレージ との連携をやめる" in settings
    removed = await api.post("/me/links/remove", data={"csrf": csrf, "serviceCode": code})
    assert "me.unlinked" in removed.headers["location"]
    assert await reader().fetchval("SELECT COUNT(*) FROM service_links") == 0
