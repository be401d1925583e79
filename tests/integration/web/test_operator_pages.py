"""/operator: the operator's desk for suspensions on request (the browser test walks it in Chromium)."""

from domain.sql import reader
from tests.integration.identity.people import STAFF_PASSWORD


async def test_the_desk_needs_the_operator_and_the_forms_csrf(api, people):
    await people.municipality()
    resident = await people.register()
    await people.operator()
    assert (await api.get("/operator?lang=en")).headers["location"] == "/operator/signin?lang=en"
    signed = await api.post(
        "/operator/signin?lang=en", data={"login": "operator", "password": STAFF_PASSWORD}
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/operator?lang=en"
    forged = await api.post("/operator/suspend", data={"myKeyId": resident.my_key_id, "reason": "x"})
    assert forged.status_code == 303  # no CSRF field: back to sign-in, nothing done
    csrf = api.cookies.get("mykey_csrf")
    blank = await api.post(
        "/operator/suspend?lang=en", data={"myKeyId": resident.my_key_id, "reason": " ", "csrf": csrf}
    )
    assert blank.status_code == 400 and 'role="alert"' in blank.text
    status = "SELECT status FROM residents WHERE my_key_id = $1"
    assert await reader().fetchval(status, resident.my_key_id) == "ACTIVE"
    done = await api.post(
        "/operator/suspend?lang=en", data={"myKeyId": resident.my_key_id, "reason": "lost card", "csrf": csrf}
    )
    assert done.status_code == 200 and f"{resident.my_key_id} is suspended" in done.text
    assert await reader().fetchval(status, resident.my_key_id) == "SUSPENDED"


async def test_a_shop_clerk_is_not_let_in(api, town):
    answer = await api.post(
        "/operator/signin?lang=en", data={"login": "clerk", "password": "a long staff password"}
    )
    assert answer.status_code == 403 and "operator account" in answer.text
