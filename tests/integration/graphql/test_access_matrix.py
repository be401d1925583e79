"""Every operation, called as every role and as nobody: allowed, FORBIDDEN or UNAUTHENTICATED.

"Allowed" means the answer is not an access refusal (it may still be a userError about the input,
e.g. NOT_FOUND for an unknown id). A refusal must be UNAUTHENTICATED for nobody and FORBIDDEN for a
signed-in caller of the wrong kind. The table must name every operation in the schema.
"""

from dataclasses import dataclass
from typing import Any

from api.graphql import build_schema
from models.programs import ProgramKind
from models.staff import StaffRole
from tests.integration.identity.people import PASSWORD

ROLES = [
    "nobody",
    "resident_password",
    "resident_card",
    "operator",
    "municipality_admin",
    "municipality_staff",
    "shop_staff",
    "partner",
    "terminal_lookup",
    "terminal_pay",
    "terminal_print",
    "terminal_grant",
]
ANYONE = frozenset(ROLES)
RESIDENTS = frozenset({"resident_password", "resident_card"})
STAFF = frozenset({"operator", "municipality_admin", "municipality_staff", "shop_staff"})
TERMINALS = frozenset({"terminal_lookup", "terminal_pay", "terminal_print", "terminal_grant"})
ADMINS = frozenset({"operator", "municipality_admin"})
OPERATOR = frozenset({"operator"})


@dataclass
class Op:
    name: str
    document: str
    allowed: frozenset[str]
    variables: Any = None  # a callable (world, role) -> dict, or None


def _m(field: str, args: str = "", params: str = "") -> str:
    head = f"mutation({params})" if params else "mutation"
    return f"{head} {{ {field}{f'({args})' if args else ''} {{ userErrors {{ code }} }} }}"


PROOF = "$p: CardProofInput!"
OPS = [
    Op("ledgerCheckpoints", "{ ledgerCheckpoints { sequence } }", ANYONE),
    Op("viewer", "{ viewer { role } }", ANYONE),
    Op("services", "{ services { code } }", ANYONE),
    Op("me", "{ me { myKeyId } }", RESIDENTS),
    Op("cardChallenge", _m("cardChallenge"), ANYONE),
    Op(
        "beginRegistration",
        _m("beginRegistration", "proof: $p", PROOF),
        ANYONE,
        lambda w, r: {"p": w.bad_proof},
    ),
    Op("generateMyKeyId", _m("generateMyKeyId", 'registrationToken: "mkr_unknown"'), ANYONE),
    Op("checkMyKeyId", _m("checkMyKeyId", 'registrationToken: "mkr_unknown", candidate: "ABCD1234"'), ANYONE),
    Op(
        "completeRegistration",
        _m(
            "completeRegistration",
            'input: {registrationToken: "mkr_unknown", myKeyId: "ABCD1234", password: "abc123",'
            ' passwordConfirmation: "abc123"}',
        ),
        ANYONE,
    ),
    Op("loginWithCard", _m("loginWithCard", "proof: $p", PROOF), ANYONE, lambda w, r: {"p": w.bad_proof}),
    Op(
        "loginWithPassword",
        _m("loginWithPassword", "myKeyId: $id, password: $pw", "$id: String!, $pw: String!"),
        ANYONE,
        lambda w, r: {"id": w.resident.my_key_id, "pw": PASSWORD},
    ),
    Op(
        "rebindCard",
        _m("rebindCard", "myKeyId: $id, password: $pw, proof: $p", f"$id: String!, $pw: String!, {PROOF}"),
        ANYONE,
        lambda w, r: {"id": w.spare.my_key_id, "pw": PASSWORD, "p": w.bad_proof},
    ),
    Op(
        "suspendMyKeyId",
        _m("suspendMyKeyId", "myKeyId: $id, password: $pw", "$id: String!, $pw: String!"),
        ANYONE,
        lambda w, r: {"id": w.spare.my_key_id, "pw": PASSWORD},
    ),
    Op(
        "suspendMyKeyIdOnRequest",
        _m("suspendMyKeyIdOnRequest", 'myKeyId: "ZZZZ9999", reason: "lost card"'),
        OPERATOR,
    ),
    Op(
        "changePassword",
        _m(
            "changePassword",
            'currentPassword: "wrong123", password: "newpass1", passwordConfirmation: "newpass1"',
        ),
        RESIDENTS,
    ),
    Op("updateSettings", _m("updateSettings", 'input: {basicMunicipalityCode: "141305"}'), RESIDENTS),
    Op("linkService", _m("linkService", 'serviceCode: "A1", customerId: "789"'), RESIDENTS),
    Op("unlinkService", _m("unlinkService", 'serviceCode: "B2"'), RESIDENTS),
    Op(
        "counterLookup",
        _m("counterLookup", "proof: $p", PROOF),
        frozenset({"terminal_lookup"}),
        lambda w, r: {"p": w.fresh_proof},
    ),
    Op("pingTerminal", _m("pingTerminal"), TERMINALS),
    Op("activateTerminal", _m("activateTerminal", 'activationCode: "AAAA-BBBB-CCCC-DDDD"'), ANYONE),
    Op(
        "loginStaff",
        _m("loginStaff", 'login: "operator", password: "a long staff password"'),
        ANYONE,
    ),
    Op(
        "addStaff",
        _m("addStaff", "input: $i", "$i: AddStaffInput!"),
        ADMINS,
        lambda w, r: {
            "i": {
                "login": f"new-{r.replace('_', '-')}",
                "password": "a long staff password",
                "role": "MUNICIPALITY_STAFF",
                "municipalityCode": "141305",
                "department": "市民文化局",
            }
        },
    ),
    Op(
        "addMunicipality",
        _m(
            "addMunicipality",
            'input: {code: "011002", contactEmail: "p@city.sapporo.jp", contactPhone: "011-211-2111",'
            ' bankAccount: {bankCode: "0001", branchCode: "001", accountType: "ORDINARY",'
            ' accountNumber: "7654321", holder: "ｻｯﾎﾟﾛｼ"}}',
        ),
        OPERATOR,
    ),
    Op("addShop", _m("addShop", 'municipalityCode: "141305", name: "新しい店", category: "SHOP"'), ADMINS),
    Op("addService", _m("addService", 'code: "C3", name: "体育館"'), OPERATOR),
    Op("addPartner", _m("addPartner", 'name: "新しい会社"'), OPERATOR),
    Op(
        "setPartnerActive",
        _m("setPartnerActive", "clientId: $c, active: true", "$c: String!"),
        OPERATOR,
        lambda w, r: {"c": w.partner_client_id},
    ),
    Op(
        "registerTerminal",
        _m("registerTerminal", 'input: {kind: PRINT, name: "印刷", municipalityCode: "141305"}'),
        ADMINS,
    ),
    Op(
        "revokeTerminal",
        _m("revokeTerminal", "id: $id", "$id: ID!"),
        ADMINS,
        lambda w, r: {"id": w.spare_terminal_id},
    ),
    Op("municipalities", "{ municipalities { edges { cursor } } }", ANYONE),
    Op("municipality", '{ municipality(code: "141305") { code } }', ANYONE),
    Op("municipalityCatalogue", '{ municipalityCatalogue(search: "川崎") { code } }', OPERATOR),
    Op(
        "supportEventGifts",
        "query($p: ID!) { supportEventGifts(programId: $p) { points } }",
        frozenset({"operator", "municipality_admin", "municipality_staff"}),
        lambda w, r: {"p": w.event_id},
    ),
    Op(
        "addProgram",
        _m("addProgram", "input: $i", "$i: AddProgramInput!"),
        ADMINS,
        lambda w, r: {
            "i": {
                "municipalityCode": "141305",
                "kind": "SUPPORT_EVENT",
                "name": f"event by {r}",
                "validityDays": 30,
                "uses": ["DONATION"],
                "startsOn": "2026-11-21",
                "endsOn": "2026-12-21",
                "organiser": "実行委員会",
            }
        },
    ),
    Op(
        "addPremiumCampaign",
        _m(
            "addPremiumCampaign",
            "programId: $p, ratePercent: 10, startsAt: $s, endsAt: $e",
            "$p: ID!, $s: DateTime!, $e: DateTime!",
        ),
        ADMINS,
        lambda w, r: {
            "p": w.program_id,
            "s": f"2027-0{1 + ROLES.index(r) % 9}-01T00:00:00+00:00",
            "e": f"2027-0{1 + ROLES.index(r) % 9}-02T00:00:00+00:00",
        },
    ),
    Op("endPremiumCampaign", _m("endPremiumCampaign", 'campaignId: "999999"'), ADMINS),
    Op(
        "addDepartment",
        _m("addDepartment", 'municipalityCode: "141305", name: $n', "$n: String!"),
        ADMINS,
        lambda w, r: {"n": f"部 {r}"},
    ),
    Op(
        "setShopPrograms",
        _m("setShopPrograms", "shopId: $s, programIds: [$p]", "$s: ID!, $p: ID!"),
        ADMINS,
        lambda w, r: {"s": w.shop_id, "p": w.program_id},
    ),
    Op(
        "grantPoints",
        _m("grantPoints", "input: $i", "$i: GrantPointsInput!"),
        frozenset({"operator", "municipality_admin", "municipality_staff", "terminal_grant"}),
        lambda w, r: {
            "i": {
                "programId": w.program_id,
                "reason": "matrix",
                "idempotencyKey": f"matrix-{r}",
                "grants": [{"myKeyId": w.resident.my_key_id, "points": 1}],
            }
        },
    ),
    Op(
        "exchangePoints",
        _m("exchangePoints", "input: $i", "$i: ExchangePointsInput!"),
        frozenset({"partner"}),
        lambda w, r: {
            "i": {
                "myKeyId": w.resident.my_key_id,
                "partnerPoints": 10,
                "externalRef": f"ref-{r}",
                "idempotencyKey": f"ex-{r}-key",
            }
        },
    ),
    Op("issueCoupons", _m("issueCoupons", "count: 1, points: 10"), frozenset({"partner"})),
    Op("redeemCoupon", _m("redeemCoupon", 'code: "AAAA-BBBB-CCCC-DDDD"'), RESIDENTS),
    Op(
        "moveReservedPoints",
        _m("moveReservedPoints", "programId: $p, points: 1", "$p: ID!"),
        frozenset({"resident_card"}),
        lambda w, r: {"p": w.program_id},
    ),
    Op("shops", "{ shops { edges { cursor } } }", ANYONE),
    Op(
        "spendPoints",
        _m("spendPoints", "proof: $p, amount: 1, idempotencyKey: $k", f"{PROOF}, $k: String!"),
        frozenset({"terminal_pay"}),
        lambda w, r: {"p": w.fresh_proof, "k": f"spend-{r}"},
    ),
    Op(
        "convertPoints",
        _m("convertPoints", "proof: $p, amount: 11, idempotencyKey: $k", f"{PROOF}, $k: String!"),
        frozenset({"terminal_pay"}),
        lambda w, r: {"p": w.fresh_proof, "k": f"convert-{r}"},
    ),
    Op(
        "issueVoucher",
        _m("issueVoucher", "programId: $p, faceValue: 1", "$p: ID!"),
        frozenset({"resident_card", "terminal_print"}),
        lambda w, r: {"p": w.program_id},
    ),
    Op("redeemVoucher", _m("redeemVoucher", 'token: "NOTATOKEN"'), frozenset({"shop_staff", "terminal_pay"})),
    Op("logOut", _m("logOut"), RESIDENTS | STAFF),  # last: it ends the caller's session
]


@dataclass
class World:
    tokens: dict[str, str | None]
    resident: Any
    spare: Any
    partner_client_id: str
    spare_terminal_id: str
    people: Any
    program_id: str
    event_id: str
    shop_id: str
    bad_proof: dict[str, str] | None = None
    fresh_proof: dict[str, str] | None = None


async def _world(people, api) -> World:
    operator = await people.operator()
    await people.municipality()
    await people.service("A1")
    await people.service("B2")
    shop = await people.shop()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    staff = await people.staff(StaffRole.MUNICIPALITY_STAFF)
    clerk = await people.staff(StaffRole.SHOP_STAFF, shop_id=shop)
    resident, spare = await people.register(), await people.register()
    await people.gql(
        'mutation { linkService(serviceCode: "A1", customerId: "789") { userErrors { code } } }',
        resident.token,
    )
    password_session = (
        await people.gql(
            "mutation($id: String!, $pw: String!) { loginWithPassword(myKeyId: $id, password: $pw) {"
            " token } }",
            id=resident.my_key_id,
            pw=PASSWORD,
        )
    )["loginWithPassword"]["token"]
    added = await people.gql(
        'mutation { addPartner(name: "パートナー") { partner { clientId } clientSecret } }', operator
    )
    client_id, secret = added["addPartner"]["partner"]["clientId"], added["addPartner"]["clientSecret"]
    partner = (
        await api.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    ).json()
    spare_terminal = await people.gql(
        'mutation { registerTerminal(input: {kind: GRANT, name: "予備", municipalityCode: "141305"})'
        " { terminal { id } } }",
        admin,
    )
    tokens: dict[str, str | None] = {
        "nobody": None,
        "resident_password": password_session,
        "resident_card": resident.token,
        "operator": operator,
        "municipality_admin": admin,
        "municipality_staff": staff,
        "shop_staff": clerk,
        "partner": partner["access_token"],
        "terminal_lookup": await people.terminal("LOOKUP", admin, serviceCode="A1"),
        "terminal_pay": await people.terminal("PAY", admin, shopId=str(shop)),
        "terminal_print": await people.terminal("PRINT", admin),
        "terminal_grant": await people.terminal("GRANT", admin, department="健康福祉局"),
    }
    program = await people.program(name="川崎市ポイント")
    today = people.clock.now().date()
    event = await people.program(
        kind=ProgramKind.SUPPORT_EVENT, name="花火", starts_on=today, ends_on=today, organiser="実行委員会"
    )
    return World(
        tokens,
        resident,
        spare,
        client_id,
        spare_terminal["registerTerminal"]["terminal"]["id"],
        people,
        str(program.id),
        str(event.id),
        str(shop),
    )


async def _call(world: World, op: Op, role: str) -> str | None:
    """The access answer: UNAUTHENTICATED, FORBIDDEN, or None when the call got past access control."""
    people = world.people
    world.bad_proof = {"certificate": "AA==", "nonce": "unknown", "signature": "AA=="}
    if op.name in {"counterLookup", "spendPoints", "convertPoints"}:
        world.fresh_proof = await people.proof(world.resident.card, terminal=world.tokens[role])
    variables = op.variables(world, role) if op.variables else {}
    token = world.tokens[role]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await people.api.post(
        "/graphql", json={"query": op.document, "variables": variables}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    if body.get("errors"):
        code = body["errors"][0].get("extensions", {}).get("code")
        assert code in {"UNAUTHENTICATED", "FORBIDDEN"}, (op.name, role, body)
        return str(code)
    answer = body["data"][op.name]
    codes = {e["code"] for e in answer.get("userErrors", [])} if isinstance(answer, dict) else set()
    refusal = codes & {"UNAUTHENTICATED", "FORBIDDEN"}
    return refusal.pop() if refusal else None


def test_the_table_names_every_operation():
    schema = build_schema(production=False)._schema
    assert {op.name for op in OPS} == set(schema.query_type.fields) | set(schema.mutation_type.fields)


async def test_every_operation_as_every_role(people, api):
    world = await _world(people, api)
    wrong = []
    for op in OPS:
        for role in ROLES:
            expected = (
                None if role in op.allowed else ("UNAUTHENTICATED" if role == "nobody" else "FORBIDDEN")
            )
            got = await _call(world, op, role)
            if got != expected:
                wrong.append(f"{op.name} as {role}: expected {expected or 'allowed'}, got {got or 'allowed'}")
    assert wrong == []
