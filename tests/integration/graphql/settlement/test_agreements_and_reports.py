"""addAcceptanceAgreement, setPartnerBilling and monthlyReport over GraphQL, and the report's CSV
and SVG over HTTP: what each refuses, and that a refusal changes nothing."""

import csv
import io

from domain.sql import reader
from models.programs import ProgramKind
from models.staff import StaffRole
from tests.integration.graphql.spending.test_spend_points import _spend

AGREE = (
    "mutation($p: ID!, $c: String!) { addAcceptanceAgreement(programId: $p, municipalityCode: $c) {"
    " agreement { id program { name } municipality { code } } userErrors { code field message } } }"
)
SHOP_PROGRAMS = (
    "mutation($s: ID!, $p: [ID!]!) { setShopPrograms(shopId: $s, programIds: $p) {"
    " programIds userErrors { code field message } } }"
)
BILLING = (
    "mutation($c: String!, $i: PartnerBillingInput!) { setPartnerBilling(clientId: $c, input: $i) {"
    " billing { name postalCode address email invoiceNumber setBy } userErrors { code field message } } }"
)
REPORT = (
    "query($c: String!, $m: String!) { monthlyReport(municipalityCode: $c, month: $m) {"
    " month complete openingPoints closingPoints issued { entries residents points }"
    " used { entries residents points } expired { points } bySource { source name points }"
    " byShop { shop { name } points } byPartner { partner { name } points } csvUrl chartUrl } }"
)


async def _errors(people, token, query, **variables):
    """The top-level errors of a query (a query's refusal is an error, not a userError)."""
    response = await people.api.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    return response.json()["errors"]


async def _sapporo(people):
    await people.municipality("011002")
    program = await people.program("011002", name="札幌市ポイント")
    shop = await people.shop("011002", name="狸小路 商店")
    return program, shop, await people.staff(StaffRole.MUNICIPALITY_ADMIN, "011002")


async def test_a_shop_takes_another_towns_program_only_under_an_agreement(people, town):
    _, b_shop, b_admin = await _sapporo(people)
    refused = (await people.gql(SHOP_PROGRAMS, b_admin, s=str(b_shop), p=[str(town.program)]))[
        "setShopPrograms"
    ]
    assert refused["userErrors"][0]["code"] == "NOT_ACCEPTED_HERE"
    assert "addAcceptanceAgreement" in refused["userErrors"][0]["message"]
    # Sapporo cannot offer Kawasaki's program: only the program's own municipality agrees to pay
    assert (await people.gql(AGREE, b_admin, p=str(town.program), c="011002"))["addAcceptanceAgreement"][
        "userErrors"
    ][0]["code"] == "FORBIDDEN"
    made = (await people.gql(AGREE, town.admin, p=str(town.program), c="011002"))["addAcceptanceAgreement"]
    assert made["userErrors"] == []
    assert made["agreement"]["municipality"] == {"code": "011002"}
    again = (await people.gql(AGREE, town.admin, p=str(town.program), c="011002"))["addAcceptanceAgreement"]
    assert again["agreement"]["id"] == made["agreement"]["id"]
    accepted = (await people.gql(SHOP_PROGRAMS, b_admin, s=str(b_shop), p=[str(town.program)]))[
        "setShopPrograms"
    ]
    assert accepted == {"programIds": [str(town.program)], "userErrors": []}


async def test_an_agreement_with_itself_another_schedule_or_for_an_event_is_refused(people, town):
    await _sapporo(people)
    event = await people.program(
        kind=ProgramKind.SUPPORT_EVENT,
        name="花火大会",
        starts_on=people.clock.now().date(),
        ends_on=people.clock.now().date(),
        organiser="実行委員会",
    )
    cases = [
        (str(town.program), "141305", "municipalityCode", "already"),
        (str(event.id), "011002", "programId", "support event"),
        (str(town.program), "999999", "municipalityCode", ""),
    ]
    for program, code, field, words in cases:
        errors = (await people.gql(AGREE, town.admin, p=program, c=code))["addAcceptanceAgreement"][
            "userErrors"
        ]
        assert errors[0]["field"] == field and words in errors[0]["message"], errors
    await reader().execute(
        "UPDATE municipalities SET settlement_schedule = 'TWICE_MONTHLY' WHERE code = '011002'"
    )
    errors = (await people.gql(AGREE, town.admin, p=str(town.program), c="011002"))["addAcceptanceAgreement"][
        "userErrors"
    ]
    assert errors[0]["code"] == "INVALID_INPUT" and "schedule" in errors[0]["message"]
    assert [
        tuple(r.values())
        for r in await reader().fetch("SELECT program_id, municipality_id FROM acceptance_agreements")
    ] == []


GOOD_BILLING = {
    "name": "株式会社パートナー 経理部",
    "postalCode": "1000001",
    "address": "東京都千代田区千代田1-1",
    "email": "Billing@Partner.example",
    "invoiceNumber": "T7000012050002",  # the National Tax Agency's own corporate number
}


async def test_the_operator_records_where_a_partners_invoices_go(people, town):
    await people.partner()
    client_id = str(await reader().fetchval("SELECT client_id FROM partners"))
    operator = await people.operator()
    done = (await people.gql(BILLING, operator, c=client_id, i=GOOD_BILLING))["setPartnerBilling"]
    assert done["userErrors"] == []
    assert done["billing"]["postalCode"] == "100-0001"
    assert done["billing"]["email"] == "Billing@partner.example"
    assert done["billing"]["setBy"] == "operator:1"
    bad = [
        ({"postalCode": "100-001"}, "postalCode"),
        ({"invoiceNumber": "T7000012050003"}, "invoiceNumber"),  # check digit
        ({"invoiceNumber": "7000012050002"}, "invoiceNumber"),
        ({"email": "a<script>@x.example"}, "email"),
        ({"name": "  "}, "name"),
    ]
    for change, field in bad:
        errors = (await people.gql(BILLING, operator, c=client_id, i=GOOD_BILLING | change))[
            "setPartnerBilling"
        ]["userErrors"]
        assert [e["field"] for e in errors] == [field], (change, errors)
    assert await reader().fetchval("SELECT billing_postal_code FROM partners") == "100-0001"  # unchanged
    unknown = (await people.gql(BILLING, operator, c="partner-nobody", i=GOOD_BILLING))["setPartnerBilling"]
    assert unknown["userErrors"][0]["code"] == "NOT_FOUND"


async def test_the_monthly_report_over_graphql_csv_and_svg(people, town):
    assert (await _spend(people, town, 300, key="report-pay-1"))["userErrors"] == []
    report = (await people.gql(REPORT, town.admin, c="141305", m="2026-11"))["monthlyReport"]
    assert (report["openingPoints"], report["closingPoints"], report["complete"]) == (0, 700, False)
    assert report["issued"] == {"entries": 2, "residents": 1, "points": 1000}  # two grants to one resident
    assert report["used"] == {"entries": 1, "residents": 1, "points": 300}
    assert report["bySource"] == [{"source": "ADMINISTRATIVE", "name": "川崎市ポイント", "points": 1000}]
    assert report["byShop"] == [{"shop": {"name": "ブレーメン通り 商店"}, "points": 300}]
    auth = {"Authorization": f"Bearer {town.admin}"}
    got = await people.api.get(report["csvUrl"], headers=auth)
    assert got.status_code == 200 and got.content.startswith(b"\xef\xbb\xbf") and b"\r\n" in got.content
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert ["発行", "2", "1", "1000"] in rows and ["月末残高", "", "", "700"] in rows
    chart = await people.api.get(report["chartUrl"], headers=auth)
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    assert b"<script" not in chart.content and "川崎市".encode() in chart.content


async def test_a_report_refuses_a_bad_month_and_another_towns_admin(people, town):
    for month, words in (("2026-13", "YYYY-MM"), ("2026-1", "YYYY-MM"), ("2027-01", "not begun")):
        errors = await _errors(people, town.admin, REPORT, c="141305", m=month)
        assert errors[0]["extensions"]["code"] == "INVALID_INPUT" and words in errors[0]["message"], errors
    _, _, b_admin = await _sapporo(people)
    errors = await _errors(people, b_admin, REPORT, c="141305", m="2026-11")
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"
    got = await people.api.get("/reports/141305/2026-11.csv", headers={"Authorization": f"Bearer {b_admin}"})
    assert got.status_code == 403
    assert (await people.api.get("/reports/141305/2026-11.csv")).status_code == 401
    assert (
        await people.api.get("/reports/141305/2026-11.xls", headers={"Authorization": f"Bearer {town.admin}"})
    ).status_code == 404
