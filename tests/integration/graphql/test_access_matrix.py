"""Every operation, called as every role and as nobody: allowed, FORBIDDEN or UNAUTHENTICATED.

Who is allowed is not written here: it is what each field declares (``Needs(Permission.X)``, read
from the schema), applied to one representative caller per role. The test proves the declarations
are what the running API does, and that every operation has one.

"Allowed" means the answer is not an access refusal (it may still be a userError about the input,
e.g. NOT_FOUND for an unknown id). A refusal must be UNAUTHENTICATED for nobody and FORBIDDEN for a
signed-in caller of the wrong kind. The table must name every operation in the schema.
"""

from dataclasses import dataclass
from typing import Any

from strawberry.types.base import get_object_definition

from api.graphql import build_schema
from domain.auth.actor import Actor, Role
from domain.auth.permissions import Permission
from models.programs import ProgramKind
from models.staff import StaffRole
from models.terminals import TerminalKind
from schema.permissions import declared
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
    "partner_staff",
    "terminal_lookup",
    "terminal_pay",
    "terminal_print",
    "terminal_grant",
]
# one caller of each role, as the permissions see it (the world's partner token has both scopes)
CALLERS: dict[str, Actor | None] = {
    "nobody": None,
    "resident_password": Actor(Role.RESIDENT, 1),
    "resident_card": Actor(Role.RESIDENT, 1, card_id=1),
    "operator": Actor(Role.OPERATOR, 1),
    "municipality_admin": Actor(Role.MUNICIPALITY_ADMIN, 1, municipality_id=1),
    "municipality_staff": Actor(Role.MUNICIPALITY_STAFF, 1, municipality_id=1),
    "shop_staff": Actor(Role.SHOP_STAFF, 1, municipality_id=1, shop_id=1),
    "partner": Actor(Role.PARTNER, 1, scopes=frozenset({"exchange", "coupons"})),
    "partner_staff": Actor(Role.PARTNER_STAFF, 1, partner_id=1),
    **{
        f"terminal_{kind.value.lower()}": Actor(Role.TERMINAL, 1, municipality_id=1, terminal_kind=kind)
        for kind in TerminalKind
    },
}


@dataclass
class Op:
    name: str
    document: str
    variables: Any = None  # a callable (world, role) -> dict, or None


def declared_permissions() -> dict[str, Permission | None]:
    """Each query's and mutation's declared permission, by GraphQL name (None: it declares none)."""
    schema = build_schema(production=False)
    found: dict[str, Permission | None] = {}
    for root in (schema.query, schema.mutation):
        definition = get_object_definition(root, strict=True)
        for field in definition.fields:
            found[schema.config.name_converter.get_graphql_name(field)] = declared(field)
    return found


def allowed(permission: Permission) -> frozenset[str]:
    return frozenset(role for role, caller in CALLERS.items() if permission.admits(caller))


def _m(field: str, args: str = "", params: str = "") -> str:
    head = f"mutation({params})" if params else "mutation"
    return f"{head} {{ {field}{f'({args})' if args else ''} {{ userErrors {{ code }} }} }}"


PROOF = "$p: CardProofInput!"
OPS = [
    Op("ledgerCheckpoints", "{ ledgerCheckpoints { sequence } }"),
    Op("viewer", "{ viewer { role } }"),
    Op("services", "{ services { code } }"),
    Op("me", "{ me { myKeyId } }"),
    Op("cardChallenge", _m("cardChallenge")),
    Op(
        "beginRegistration",
        _m("beginRegistration", "proof: $p", PROOF),
        lambda w, r: {"p": w.bad_proof},
    ),
    Op("generateMyKeyId", _m("generateMyKeyId", 'registrationToken: "mkr_unknown"')),
    Op("checkMyKeyId", _m("checkMyKeyId", 'registrationToken: "mkr_unknown", candidate: "ABCD1234"')),
    Op(
        "completeRegistration",
        _m(
            "completeRegistration",
            'input: {registrationToken: "mkr_unknown", myKeyId: "ABCD1234", password: "abc123",'
            ' passwordConfirmation: "abc123"}',
        ),
    ),
    Op("loginWithCard", _m("loginWithCard", "proof: $p", PROOF), lambda w, r: {"p": w.bad_proof}),
    Op(
        "loginWithPassword",
        _m("loginWithPassword", "myKeyId: $id, password: $pw", "$id: String!, $pw: String!"),
        lambda w, r: {"id": w.resident.my_key_id, "pw": PASSWORD},
    ),
    Op(
        "rebindCard",
        _m("rebindCard", "myKeyId: $id, password: $pw, proof: $p", f"$id: String!, $pw: String!, {PROOF}"),
        lambda w, r: {"id": w.spare.my_key_id, "pw": PASSWORD, "p": w.bad_proof},
    ),
    Op(
        "suspendMyKeyId",
        _m("suspendMyKeyId", "myKeyId: $id, password: $pw", "$id: String!, $pw: String!"),
        lambda w, r: {"id": w.spare.my_key_id, "pw": PASSWORD},
    ),
    Op(
        "suspendMyKeyIdOnRequest",
        _m("suspendMyKeyIdOnRequest", 'myKeyId: "ZZZZ9999", reason: "lost card"'),
    ),
    Op(
        "changePassword",
        _m(
            "changePassword",
            'currentPassword: "wrong123", password: "newpass1", passwordConfirmation: "newpass1"',
        ),
    ),
    Op("updateSettings", _m("updateSettings", 'input: {basicMunicipalityCode: "141305"}')),
    Op("linkService", _m("linkService", 'serviceCode: "A1", customerId: "789"')),
    Op("unlinkService", _m("unlinkService", 'serviceCode: "B2"')),
    Op(
        "counterLookup",
        _m("counterLookup", "proof: $p", PROOF),
        lambda w, r: {"p": w.fresh_proof},
    ),
    Op("pingTerminal", _m("pingTerminal")),
    Op("activateTerminal", _m("activateTerminal", 'activationCode: "AAAA-BBBB-CCCC-DDDD"')),
    Op(
        "loginStaff",
        _m("loginStaff", 'login: "operator", password: "a long staff password"'),
    ),
    Op(
        "addStaff",
        _m("addStaff", "input: $i", "$i: AddStaffInput!"),
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
            ' accountNumber: "7654321", holderKana: "サッポロシ"}}',
        ),
    ),
    Op("addShop", _m("addShop", 'municipalityCode: "141305", name: "新しい店", category: "SHOP"')),
    Op("closeSettlement", _m("closeSettlement", 'municipalityCode: "141305", periodEnd: "2026-10-31"')),
    Op("settlement", '{ settlement(id: "999999") { id } }'),
    Op(
        "settlementPreview",
        '{ settlementPreview(municipalityCode: "141305", periodEnd: "2026-10-31") { payableYen } }',
    ),
    Op("markPayoutSent", _m("markPayoutSent", 'statementId: "999999"')),
    Op("staffMembers", '{ staffMembers(municipalityCode: "141305") { login } }'),
    Op("deactivateStaff", _m("deactivateStaff", 'staffId: "999999"')),
    Op("grantBatches", '{ grantBatches(municipalityCode: "141305") { id } }'),
    Op("auditLog", '{ auditLog(municipalityCode: "141305") { id } }'),
    Op(
        "updateProgram",
        _m("updateProgram", 'programId: "999999", input: {name: "x", validityDays: 10, uses: [SHOPS]}'),
    ),
    Op("settlements", '{ settlements(municipalityCode: "141305") { edges { cursor } } }'),
    Op("monthlyReport", '{ monthlyReport(municipalityCode: "141305", month: "2026-10") { openingPoints } }'),
    Op(
        "setShopBankAccount",
        _m(
            "setShopBankAccount",
            'shopId: $s, input: {bankCode: "0001", branchCode: "001", accountType: "ORDINARY",'
            ' accountNumber: "1234567", holderKana: "ショウテン"}',
            "$s: ID!",
        ),
        lambda w, r: {"s": w.shop_id},
    ),
    Op(
        "setPartnerBilling",
        _m(
            "setPartnerBilling",
            'clientId: $c, input: {name: "経理部", postalCode: "100-0001", address: "東京都千代田区1-1",'
            ' email: "billing@partner.example"}',
            "$c: String!",
        ),
        lambda w, r: {"c": w.partner_client_id},
    ),
    Op("addService", _m("addService", 'code: "C3", name: "体育館"')),
    Op("addPartner", _m("addPartner", 'name: "新しい会社"')),
    Op(
        "setPartnerActive",
        _m("setPartnerActive", "clientId: $c, active: true", "$c: String!"),
        lambda w, r: {"c": w.partner_client_id},
    ),
    Op(
        "registerTerminal",
        _m("registerTerminal", 'input: {kind: PRINT, name: "印刷", municipalityCode: "141305"}'),
    ),
    Op(
        "revokeTerminal",
        _m("revokeTerminal", "id: $id", "$id: ID!"),
        lambda w, r: {"id": w.spare_terminal_id},
    ),
    Op("municipalities", "{ municipalities { edges { cursor } } }"),
    Op("municipality", '{ municipality(code: "141305") { code } }'),
    Op("municipalityCatalogue", '{ municipalityCatalogue(search: "川崎") { code } }'),
    Op(
        "supportEventGifts",
        "query($p: ID!) { supportEventGifts(programId: $p) { points } }",
        lambda w, r: {"p": w.event_id},
    ),
    Op(
        "addProgram",
        _m("addProgram", "input: $i", "$i: AddProgramInput!"),
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
        lambda w, r: {
            "p": w.program_id,
            "s": f"2027-0{1 + ROLES.index(r) % 9}-01T00:00:00+00:00",
            "e": f"2027-0{1 + ROLES.index(r) % 9}-02T00:00:00+00:00",
        },
    ),
    Op("endPremiumCampaign", _m("endPremiumCampaign", 'campaignId: "999999"')),
    Op(
        "addDepartment",
        _m("addDepartment", 'municipalityCode: "141305", name: $n', "$n: String!"),
        lambda w, r: {"n": f"部 {r}"},
    ),
    Op(
        "setShopPrograms",
        _m("setShopPrograms", "shopId: $s, programIds: [$p]", "$s: ID!, $p: ID!"),
        lambda w, r: {"s": w.shop_id, "p": w.program_id},
    ),
    Op(
        "grantPointsWithCard",
        _m(
            "grantPointsWithCard",
            'proof: {certificate: "x", nonce: "n", signature: "s"}, programId: $p, points: 100,'
            ' reason: "ボランティア", idempotencyKey: "matrix-card-grant"',
            "$p: ID!",
        ),
        lambda w, r: {"p": w.program_id},
    ),
    Op(
        "addAcceptanceAgreement",
        _m("addAcceptanceAgreement", 'programId: $p, municipalityCode: "011002"', "$p: ID!"),
        lambda w, r: {"p": w.program_id},
    ),
    Op(
        "grantPoints",
        _m("grantPoints", "input: $i", "$i: GrantPointsInput!"),
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
        lambda w, r: {
            "i": {
                "partnerCustomerId": "NOT-LINKED",
                "partnerPoints": 10,
                "externalRef": f"ref-{r}",
                "idempotencyKey": f"ex-{r}-key",
            }
        },
    ),
    Op("issueCoupons", _m("issueCoupons", "count: 1, points: 10")),
    Op(
        "setPartnerRedirectUris",
        _m("setPartnerRedirectUris", 'clientId: "nobody", redirectUris: ["https://p.example/cb"]'),
    ),
    Op("setPartnerWebhook", _m("setPartnerWebhook", 'clientId: "nobody", url: "https://p.example/hook"')),
    Op("rotatePartnerSecret", _m("rotatePartnerSecret", 'clientId: "nobody", overlapHours: 1')),
    Op("partnerExchanges", '{ partnerExchanges(day: "2026-11-21") { id } }'),
    Op("couponBatches", "{ couponBatches { id } }"),
    Op("partnerStatements", "{ partnerStatements { statementId } }"),
    Op("partnerAuditLog", "{ partnerAuditLog { action } }"),
    Op("voidCouponBatch", _m("voidCouponBatch", 'batchId: "999999"')),
    Op("redeemCoupon", _m("redeemCoupon", 'code: "AAAA-BBBB-CCCC-DDDD"')),
    Op(
        "moveReservedPoints",
        _m("moveReservedPoints", "programId: $p, points: 1", "$p: ID!"),
        lambda w, r: {"p": w.program_id},
    ),
    Op("shops", "{ shops { edges { cursor } } }"),
    Op("publishedFigures", '{ publishedFigures(municipalityCode: "141305") { month } }'),
    Op(
        "setShopPlace",
        _m("setShopPlace", 'shopId: $s, input: {kana: "ショウテン", address: "川崎市"}', "$s: ID!"),
        lambda w, r: {"s": w.shop_id},
    ),
    Op("publishMonthlyFigures", _m("publishMonthlyFigures", 'municipalityCode: "141305", month: "2026-10"')),
    Op("items", '{ items(municipalityCode: "141305") { id } }'),
    Op("orders", '{ orders(municipalityCode: "141305") { id } }'),
    Op("myOrders", "{ myOrders { id } }"),
    Op(
        "supportEventProgress",
        "query($p: ID!) { supportEventProgress(programId: $p) { receivedPoints } }",
        lambda w, r: {"p": w.event_id},
    ),
    Op(
        "donatePoints",
        _m(
            "donatePoints",
            'programId: $e, points: 1, fromProgramId: $p, showName: false, idempotencyKey: "donate-matrix"',
            "$e: ID!, $p: ID!",
        ),
        lambda w, r: {"e": w.event_id, "p": w.program_id},
    ),
    Op(
        "addItem",
        _m(
            "addItem",
            'input: {municipalityCode: "141305", name: "席", pricePoints: 0, stock: 1, programIds: [$p]}',
            "$p: ID!",
        ),
        lambda w, r: {"p": w.program_id},
    ),
    Op("restockItem", _m("restockItem", 'itemId: "999999", add: 1')),
    Op("setItemOnSale", _m("setItemOnSale", 'itemId: "999999", onSale: false')),
    Op(
        "orderItem",
        _m(
            "orderItem",
            'itemId: "999999", quantity: 1, programId: $p, idempotencyKey: "order-matrix"',
            "$p: ID!",
        ),
        lambda w, r: {"p": w.program_id},
    ),
    Op("fulfilOrder", _m("fulfilOrder", 'orderId: "999999"')),
    Op("cancelOrder", _m("cancelOrder", 'orderId: "999999"')),
    Op(
        "spendPoints",
        _m("spendPoints", "proof: $p, amount: 1, idempotencyKey: $k", f"{PROOF}, $k: String!"),
        lambda w, r: {"p": w.fresh_proof, "k": f"spend-{r}"},
    ),
    Op(
        "convertPoints",
        _m("convertPoints", "proof: $p, amount: 11, idempotencyKey: $k", f"{PROOF}, $k: String!"),
        lambda w, r: {"p": w.fresh_proof, "k": f"convert-{r}"},
    ),
    Op(
        "issueVoucher",
        _m("issueVoucher", "programId: $p, faceValue: 1", "$p: ID!"),
        lambda w, r: {"p": w.program_id},
    ),
    Op("redeemVoucher", _m("redeemVoucher", 'token: "NOTATOKEN"')),
    Op("logOut", _m("logOut")),  # last: it ends the caller's session
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
        "partner_staff": await people.staff(StaffRole.PARTNER_STAFF, partner_client_id=client_id),
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
        assert code in {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"}, (op.name, role, body)
        return None if code == "NOT_FOUND" else str(code)  # past access control, about the input
    answer = body["data"][op.name]
    codes = {e["code"] for e in answer.get("userErrors", [])} if isinstance(answer, dict) else set()
    refusal = codes & {"UNAUTHENTICATED", "FORBIDDEN"}
    return refusal.pop() if refusal else None


def test_the_table_names_every_operation_and_every_operation_declares_who_may_call_it():
    declared = declared_permissions()
    assert {op.name for op in OPS} == set(declared)
    assert [name for name, permission in declared.items() if permission is None] == []
    assert set(CALLERS) == set(ROLES)


ANYONE = frozenset(ROLES)
RESIDENTS = frozenset({"resident_password", "resident_card"})
TERMINALS = frozenset({"terminal_lookup", "terminal_pay", "terminal_print", "terminal_grant"})
ADMINS = frozenset({"operator", "municipality_admin"})
OPERATOR = frozenset({"operator"})
PARTNERS = frozenset({"partner", "partner_staff"})  # a partner's server, or its staff in the console
PARTNER_KEYS = frozenset({"operator", "partner_staff"})  # its secret, webhook and return addresses

# The product's access table (product.md §2 and the decisions in README), kept as the oracle the
# declarations are checked against: loosening a declaration by mistake fails here, not in production.
PRODUCT_TABLE = {
    "ledgerCheckpoints": ANYONE,
    "viewer": ANYONE,
    "services": ANYONE,
    "me": RESIDENTS,
    "cardChallenge": ANYONE,
    "beginRegistration": ANYONE,
    "generateMyKeyId": ANYONE,
    "checkMyKeyId": ANYONE,
    "completeRegistration": ANYONE,
    "loginWithCard": ANYONE,
    "loginWithPassword": ANYONE,
    "rebindCard": ANYONE,
    "suspendMyKeyId": ANYONE,
    "suspendMyKeyIdOnRequest": ADMINS,  # a municipality counter takes the request too (audit-logged)
    "changePassword": RESIDENTS,
    "updateSettings": RESIDENTS,
    "linkService": RESIDENTS,
    "unlinkService": RESIDENTS,
    "counterLookup": frozenset({"terminal_lookup"}),
    "pingTerminal": TERMINALS,
    "activateTerminal": ANYONE,
    "loginStaff": ANYONE,
    "addStaff": ADMINS,
    "addMunicipality": OPERATOR,
    "addShop": ADMINS,
    "setShopBankAccount": ADMINS,
    "closeSettlement": ADMINS,
    "settlement": ADMINS,
    "settlements": ADMINS,
    "monthlyReport": ADMINS,
    "markPayoutSent": ADMINS,
    "settlementPreview": ADMINS,
    "staffMembers": ADMINS,
    "deactivateStaff": ADMINS,
    "grantBatches": frozenset({"municipality_admin", "municipality_staff", "operator"}),
    "auditLog": ADMINS,
    "updateProgram": ADMINS,
    "addService": OPERATOR,
    "addPartner": OPERATOR,
    "setPartnerActive": OPERATOR,
    "setPartnerBilling": OPERATOR,
    "rotatePartnerSecret": PARTNER_KEYS,
    "setPartnerWebhook": PARTNER_KEYS,
    "setPartnerRedirectUris": PARTNER_KEYS,
    "registerTerminal": ADMINS,
    "revokeTerminal": ADMINS,
    "municipalities": ANYONE,
    "municipality": ANYONE,
    "municipalityCatalogue": OPERATOR,
    "supportEventGifts": frozenset({"municipality_admin", "municipality_staff", "operator"}),
    "addProgram": ADMINS,
    "addPremiumCampaign": ADMINS,
    "endPremiumCampaign": ADMINS,
    "addDepartment": ADMINS,
    "setShopPrograms": ADMINS,
    "addAcceptanceAgreement": ADMINS,
    "grantPointsWithCard": frozenset({"terminal_grant"}),
    "grantPoints": frozenset({"municipality_admin", "municipality_staff", "operator", "terminal_grant"}),
    "exchangePoints": frozenset({"partner"}),
    "issueCoupons": PARTNERS,
    "partnerExchanges": PARTNERS,
    "couponBatches": PARTNERS,
    "partnerStatements": PARTNERS,
    "partnerAuditLog": PARTNERS,
    "voidCouponBatch": PARTNERS,
    "redeemCoupon": RESIDENTS,
    "moveReservedPoints": frozenset({"resident_card"}),
    "shops": ANYONE,
    "publishedFigures": ANYONE,
    "setShopPlace": ADMINS,
    "publishMonthlyFigures": ADMINS,
    "items": ANYONE,
    "orders": ADMINS,
    "myOrders": RESIDENTS,
    "supportEventProgress": ANYONE,
    "donatePoints": frozenset({"resident_card"}),
    "addItem": ADMINS,
    "restockItem": ADMINS,
    "setItemOnSale": ADMINS,
    "orderItem": frozenset({"resident_card"}),
    "fulfilOrder": ADMINS,
    "cancelOrder": ADMINS,
    "spendPoints": frozenset({"terminal_pay"}),
    "convertPoints": frozenset({"terminal_pay"}),
    "issueVoucher": frozenset({"resident_card", "terminal_print"}),
    "redeemVoucher": frozenset({"shop_staff", "terminal_pay"}),
    "logOut": frozenset(
        {
            "municipality_admin",
            "municipality_staff",
            "operator",
            "partner_staff",
            "resident_card",
            "resident_password",
            "shop_staff",
        }
    ),
}


def test_the_declarations_say_what_the_product_decided():
    declared = declared_permissions()
    differ = {
        name: (sorted(allowed(permission)), sorted(PRODUCT_TABLE[name]))
        for name, permission in declared.items()
        if permission is not None and allowed(permission) != PRODUCT_TABLE[name]
    }
    assert differ == {}
    assert set(PRODUCT_TABLE) == set(declared)


async def test_every_operation_as_every_role(people, api):
    world = await _world(people, api)
    declared = declared_permissions()
    wrong = []
    for op in OPS:
        permission = declared[op.name]
        assert permission is not None
        for role in ROLES:
            expected = (
                None
                if role in allowed(permission)
                else ("UNAUTHENTICATED" if role == "nobody" else "FORBIDDEN")
            )
            got = await _call(world, op, role)
            if got != expected:
                wrong.append(f"{op.name} as {role}: expected {expected or 'allowed'}, got {got or 'allowed'}")
    assert wrong == []
