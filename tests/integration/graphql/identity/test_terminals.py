"""Terminals: registered by an admin, activated once by the device, tested, revoked."""

from models.staff import StaffRole

REGISTER = (
    "mutation($i: RegisterTerminalInput!) { registerTerminal(input: $i)"
    " { terminal { id kind status } activationCode userErrors { code field } } }"
)
ACTIVATE = (
    "mutation($c: String!) "
    "{ activateTerminal(activationCode: $c) { token terminal { status } userErrors { code } } }"
)
PING = "mutation { pingTerminal { terminal { kind name } serverTime userErrors { code } } }"


async def test_activate_once_then_ping_then_revoke(people):
    await people.municipality()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    registered = (
        await people.gql(
            REGISTER, admin, i={"kind": "GRANT", "name": "付与端末", "municipalityCode": "141305"}
        )
    )["registerTerminal"]
    assert registered["terminal"]["status"] == "REGISTERED"
    code = registered["activationCode"]
    activated = (await people.gql(ACTIVATE, c=code.lower()))["activateTerminal"]
    assert activated["terminal"]["status"] == "ACTIVE" and activated["token"].startswith("mkt_")
    assert (await people.gql(ACTIVATE, c=code))["activateTerminal"]["userErrors"] == [
        {"code": "INVALID_INPUT"}
    ]
    ping = (await people.gql(PING, activated["token"]))["pingTerminal"]
    assert ping["terminal"] == {"kind": "GRANT", "name": "付与端末"}
    assert ping["serverTime"].startswith("2026-11-21T03:00:00")
    revoke = "mutation($id: ID!) { revokeTerminal(id: $id) { terminal { status } userErrors { code } } }"
    assert (await people.gql(revoke, admin, id=registered["terminal"]["id"]))["revokeTerminal"][
        "terminal"
    ] == {"status": "REVOKED"}
    assert (await people.gql(PING, activated["token"]))["pingTerminal"]["userErrors"] == [
        {"code": "UNAUTHENTICATED"}
    ]


async def test_activation_codes_expire(people):
    await people.municipality()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    code = (
        await people.gql(REGISTER, admin, i={"kind": "PRINT", "name": "p", "municipalityCode": "141305"})
    )["registerTerminal"]["activationCode"]
    people.later(days=7)
    assert (await people.gql(ACTIVATE, c=code))["activateTerminal"]["userErrors"] == [
        {"code": "INVALID_INPUT"}
    ]


async def test_terminals_belong_to_the_admins_own_municipality_and_shops(people):
    await people.municipality()
    await people.municipality("131164", "豊島区")
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    other_shop = await people.shop("131164", "よその店")
    own_shop = await people.shop("141305", "うちの店")
    elsewhere = await people.gql(
        REGISTER, admin, i={"kind": "PRINT", "name": "p", "municipalityCode": "131164"}
    )
    assert elsewhere["registerTerminal"]["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    foreign_shop = await people.gql(
        REGISTER,
        admin,
        i={"kind": "PAY", "name": "p", "municipalityCode": "141305", "shopId": str(other_shop)},
    )
    assert foreign_shop["registerTerminal"]["userErrors"] == [{"code": "NOT_FOUND", "field": "shopId"}]
    no_shop = await people.gql(REGISTER, admin, i={"kind": "PAY", "name": "p", "municipalityCode": "141305"})
    assert no_shop["registerTerminal"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "shopId"}]
    no_service = await people.gql(
        REGISTER, admin, i={"kind": "LOOKUP", "name": "p", "municipalityCode": "141305"}
    )
    assert no_service["registerTerminal"]["userErrors"] == [{"code": "NOT_FOUND", "field": "serviceCode"}]
    ok = await people.gql(
        REGISTER, admin, i={"kind": "PAY", "name": "p", "municipalityCode": "141305", "shopId": str(own_shop)}
    )
    assert ok["registerTerminal"]["terminal"]["kind"] == "PAY"
