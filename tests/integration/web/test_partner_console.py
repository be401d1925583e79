"""The partner console as a partner's staff: exchanges by day with the reconciliation file, coupon
batches (issue, the one download, redeemed, void), what it owes each municipality, its keys, its
activity — and nothing of another partner's."""

import csv
import io

from domain.clock import JST
from domain.sql import reader
from models.staff import StaffRole
from tests.integration.graphql.points.test_exchanges_and_coupons import EXCHANGE, REDEEM, _order
from tests.integration.identity.people import STAFF_PASSWORD

MOVE = "mutation($p: ID!, $n: Int!) { moveReservedPoints(programId: $p, points: $n) { userErrors { code } } }"
ROTATE = (
    "mutation($c: String!) { rotatePartnerSecret(clientId: $c, overlapHours: 0) { clientSecret"
    " userErrors { code } } }"
)
CLOSE = (
    "mutation($c: String!, $d: Date!) { closeSettlement(municipalityCode: $c, periodEnd: $d)"
    " { userErrors { code } } }"
)


async def _partner_with_staff(people, name="パートナー", login="partner.staff"):
    """A partner's token and client id, and a session of a member of its staff (who signs in as ``login``)."""
    token = await people.partner(name=name)
    client_id = await reader().fetchval("SELECT client_id FROM partners WHERE name = $1", name)
    staff = await people.staff(StaffRole.PARTNER_STAFF, login=login, partner_client_id=client_id)
    return token, str(client_id), staff


async def _sign_in(api, login):
    api.cookies.clear()
    done = await api.post("/partner/signin?lang=ja", data={"login": login, "password": STAFF_PASSWORD})
    assert done.status_code == 303, done.text[:300]
    assert done.headers["location"].startswith("/partner")
    return api.cookies.get("mykey_csrf")


async def _post(api, path, csrf, **fields):
    return await api.post(path + ("&" if "?" in path else "?") + "lang=ja", data={"csrf": csrf} | fields)


async def test_exchanges_by_day_and_the_reconciliation_file(api, people, town):
    partner, _, _ = await _partner_with_staff(people)
    other, _, _ = await _partner_with_staff(people, "他社", "other.staff")
    await people.consent(town.resident)
    await people.consent(town.resident, "他社")
    assert (await people.gql(EXCHANGE, partner, i=_order(town.resident, 700, "ORD-7")))["exchangePoints"][
        "userErrors"
    ] == []
    assert (await people.gql(EXCHANGE, other, i=_order(town.resident, 900, "THEIRS-9")))["exchangePoints"][
        "userErrors"
    ] == []
    await _sign_in(api, "partner.staff")
    today = people.clock.now().astimezone(JST).date().isoformat()
    page = (await api.get("/partner?lang=ja")).text
    assert "ORD-7" in page and "THEIRS-9" not in page and town.resident.my_key_id not in page
    assert "1 件、700 円、700 ポイント。" in page
    assert "ORD-7" not in (await api.get("/partner?lang=ja&ref=NOPE")).text
    assert "日付の形式が正しくありません" in (await api.get("/partner?lang=ja&day=2026-13-01")).text
    file = await api.get(f"/partner/reconciliation/{today}.csv")
    assert file.status_code == 200, file.text
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["ORD-7"] and rows[1][3:7] == ["700", "700", "700", "COMPLETED"]
    # a municipality's admin is not a partner's staff
    api.cookies.clear()
    refused = await api.post(
        "/partner/signin?lang=ja", data={"login": "municipality_admin-141305-0", "password": STAFF_PASSWORD}
    )
    assert refused.status_code == 403 and "パートナー企業の担当者用" in refused.text
    assert (await api.get("/partner/coupons?lang=ja")).status_code == 303


async def test_a_coupon_batch_is_downloaded_once_then_voided(api, people, town):
    await _partner_with_staff(people)
    csrf = await _sign_in(api, "partner.staff")
    unticked = await _post(api, "/partner/coupons/issue", csrf, count="3", points="500")
    assert "said=confirm" in unticked.headers["location"]
    bad = await _post(api, "/partner/coupons/issue", csrf, count="0", points="500", confirm="yes")
    assert "said=error.INVALID_INPUT" in bad.headers["location"]
    assert "alert" in (await api.get(bad.headers["location"])).text
    assert await reader().fetchint("SELECT COUNT(*) FROM coupons") == 0
    issued = await _post(api, "/partner/coupons/issue", csrf, count="3", points="500", confirm="yes")
    assert issued.status_code == 303 and "said=issued" in issued.headers["location"]
    batch = await reader().fetchint("SELECT id FROM coupon_batches")
    stored = await reader().fetchval("SELECT sealed_codes FROM coupon_batches")
    assert stored.startswith("gAAAAA")  # a Fernet token
    listed = (await api.get("/partner/coupons?lang=ja")).text
    assert "ダウンロード待ち" in listed and "コードをダウンロード（1回限り）" in listed

    # another browser of the same staff member has no key: refused, and the seal stays
    key = api.cookies.get(f"mykey_coupon_seal_{batch}", path=f"/partner/coupons/{batch}")
    api.cookies.delete(f"mykey_coupon_seal_{batch}", path=f"/partner/coupons/{batch}")
    keyless = await _post(api, f"/partner/coupons/{batch}/download", csrf)
    assert keyless.status_code == 303 and "error.FORBIDDEN" in keyless.headers["location"]
    assert await reader().fetchval("SELECT sealed_codes FROM coupon_batches") == stored
    api.cookies.set(f"mykey_coupon_seal_{batch}", key, path=f"/partner/coupons/{batch}")

    file = await _post(api, f"/partner/coupons/{batch}/download", csrf)
    assert file.status_code == 200, file.text[:300]
    assert file.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(file.content.decode("utf-8-sig"))))
    assert rows[0] == ["code", "points", "expires_at"] and len(rows) == 4
    codes = [r[0] for r in rows[1:]]
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)  # sealed: no code in clear
    assert await reader().fetchval("SELECT sealed_codes FROM coupon_batches") is None
    again = await _post(api, f"/partner/coupons/{batch}/download", csrf)
    assert "error.ALREADY_REDEEMED" in again.headers["location"]

    used = (await people.gql(REDEEM, town.resident.token, c=codes[0]))["redeemCoupon"]
    assert used["points"] == 500 and used["userErrors"] == []
    unticked = await _post(api, f"/partner/coupons/{batch}/void", csrf)
    assert "said=confirm" in unticked.headers["location"]
    voided = await _post(api, f"/partner/coupons/{batch}/void", csrf, confirm="yes")
    assert "said=voided" in voided.headers["location"]
    late = (await people.gql(REDEEM, town.resident.token, c=codes[1]))["redeemCoupon"]
    assert late["userErrors"] == [{"code": "EXPIRED"}]
    counts = await reader().fetchrow(
        "SELECT COUNT(*) FILTER (WHERE redeemed_at IS NOT NULL) AS used,"
        " COUNT(*) FILTER (WHERE voided_at IS NOT NULL) AS void FROM coupons"
    )
    assert (counts["used"], counts["void"]) == (1, 2)
    twice = await _post(api, f"/partner/coupons/{batch}/void", csrf, confirm="yes")
    assert "error.INVALID_INPUT" in twice.headers["location"]
    activity = (await api.get("/partner/activity?lang=ja")).text
    for action in ("coupons.issue", "coupons.download", "coupons.void"):
        assert action in activity, action
    assert "partner.staff" in activity


async def test_another_partners_batch_is_unknown(api, people, town):
    await _partner_with_staff(people)
    await _partner_with_staff(people, "他社", "other.staff")
    csrf = await _sign_in(api, "other.staff")
    assert (
        await _post(api, "/partner/coupons/issue", csrf, count="2", points="10", confirm="yes")
    ).status_code == 303
    batch = await reader().fetchint("SELECT id FROM coupon_batches")
    csrf = await _sign_in(api, "partner.staff")
    refused = await _post(api, f"/partner/coupons/{batch}/void", csrf, confirm="yes")
    assert "error.NOT_FOUND" in refused.headers["location"]
    assert await reader().fetchint("SELECT COUNT(*) FROM coupons WHERE voided_at IS NOT NULL") == 0
    assert "他社" not in (await api.get("/partner/coupons?lang=ja")).text


async def test_keys_rotate_with_an_overlap_and_the_webhook_secret_is_shown_once(api, people, town):
    _, client_id, _ = await _partner_with_staff(people)
    _, _, other = await _partner_with_staff(people, "他社", "other.staff")
    csrf = await _sign_in(api, "partner.staff")
    page = (await api.get("/partner/keys?lang=ja")).text
    assert client_id in page
    unticked = await _post(api, "/partner/keys", csrf, action="rotate", overlapHours="24")
    assert unticked.status_code == 400 and "新しいクライアントシークレット" not in unticked.text
    rotated = await _post(api, "/partner/keys", csrf, action="rotate", overlapHours="24", confirm="yes")
    assert rotated.status_code == 200 and rotated.headers["cache-control"] == "no-store"
    secret = rotated.text.split("data-secret>")[1].split("<")[0]
    assert "旧シークレットは" in rotated.text
    token = await api.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert token.status_code == 200
    assert secret not in (await api.get("/partner/keys?lang=ja")).text  # shown once
    bad = await _post(api, "/partner/keys", csrf, action="rotate", overlapHours="999", confirm="yes")
    assert bad.status_code == 400 and "error" in bad.text
    hook = await _post(
        api, "/partner/keys", csrf, action="webhook", url="https://partner.example/hooks", confirm="yes"
    )
    assert hook.status_code == 200 and "Webhook署名用シークレット" in hook.text
    assert "https://partner.example/hooks" in (await api.get("/partner/keys?lang=ja")).text
    plain = await _post(
        api, "/partner/keys", csrf, action="webhook", url="http://partner.example/h", confirm="yes"
    )
    assert plain.status_code == 400
    uris = await _post(
        api,
        "/partner/keys",
        csrf,
        action="redirects",
        redirectUris="https://partner.example/done\nhttps://partner.example/app",
        confirm="yes",
    )
    assert uris.status_code == 200 and "戻り先を保存しました" in uris.text
    assert await reader().fetchval("SELECT redirect_uris FROM partners WHERE client_id = $1", client_id) == (
        "https://partner.example/app https://partner.example/done"
    )
    activity = (await api.get("/partner/activity?lang=ja")).text
    for action in ("secret.rotate", "webhook.set", "redirect_uris.set"):
        assert action in activity, action
    # the other partner's staff cannot reach this partner's keys through the API either
    stolen = await people.gql(ROTATE, other, c=client_id)
    assert stolen["rotatePartnerSecret"]["userErrors"] == [{"code": "NOT_FOUND"}]
    assert await reader().fetchint("SELECT COUNT(*) FROM audit_events WHERE action = 'secret.rotate'") == 1


async def test_what_the_partner_owes_each_municipality(api, people, town):
    await reader().execute("UPDATE municipalities SET settlement_minimum_yen = 1")
    partner, _, _ = await _partner_with_staff(people)
    await people.consent(town.resident)
    assert (await people.gql(EXCHANGE, partner, i=_order(town.resident, 500, "OWE-1")))["exchangePoints"][
        "userErrors"
    ] == []
    moved = (await people.gql(MOVE, town.resident.token, p=str(town.program), n=500))["moveReservedPoints"]
    assert moved["userErrors"] == []
    people.later(days=10)
    assert (await people.gql(CLOSE, town.admin, c="141305", d="2026-11-30"))["closeSettlement"][
        "userErrors"
    ] == []
    await _sign_in(api, "partner.staff")
    page = (await api.get("/partner/statements?lang=ja")).text
    assert "2026-11-01 – 2026-11-30" in page and "川崎市 (141305)" in page
    assert "請求書未着の請求額: 500 円" in page and "未送付" in page


async def test_the_operator_adds_a_partners_console_account(api, people, town):
    await people.partner()
    client_id = await reader().fetchval("SELECT client_id FROM partners")
    signed = await api.post(
        "/operator/signin?lang=ja", data={"login": "operator", "password": STAFF_PASSWORD}
    )
    assert signed.status_code == 303
    csrf = api.cookies.get("mykey_csrf")
    form = {"csrf": csrf, "clientId": client_id, "login": "sora.tanaka", "password": STAFF_PASSWORD}
    short = await api.post("/operator/partners/staff?lang=ja", data=form | {"password": "short"})
    assert "error.INVALID_INPUT" in short.headers["location"]
    unknown = await api.post("/operator/partners/staff?lang=ja", data=form | {"clientId": "partner-nobody"})
    assert "error.NOT_FOUND" in unknown.headers["location"]
    added = await api.post("/operator/partners/staff?lang=ja", data=form)
    assert "said=staff_added" in added.headers["location"]
    assert "アカウントを追加しました" in (await api.get(added.headers["location"])).text
    assert await reader().fetchval("SELECT role FROM staff WHERE login = 'sora.tanaka'") == "PARTNER_STAFF"
    await _sign_in(api, "sora.tanaka")
    assert "パートナー" in (await api.get("/partner?lang=ja")).text
