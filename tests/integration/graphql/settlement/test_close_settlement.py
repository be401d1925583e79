"""closeSettlement, settlement(s) and the run's 総合振込 file, over HTTP."""

from datetime import date

from domain.settlement.zengin import AccountType, read_transfer_file
from domain.sql import reader
from models.staff import StaffRole
from tests.integration.graphql.settlement.test_set_shop_bank_account import ACCOUNT, SET
from tests.integration.graphql.spending.test_spend_points import _spend

CLOSE = (
    "mutation($c: String!, $d: Date!) { closeSettlement(municipalityCode: $c, periodEnd: $d) { settlement {"
    " id periodStart periodEnd status digest payableYen receivableYen payoutOn"
    " shopStatements { shop { id name } pointsUsed feeYen payableYen } partnerStatements { partner { name } }"
    " } userErrors { code field message } } }"
)
RUNS = "query($c: String!) { settlements(municipalityCode: $c) { edges { node { id digest } } } }"
ONE = "query($i: ID!) { settlement(id: $i) { id payableYen } }"


async def _closed(people, town):
    await reader().execute("UPDATE municipalities SET settlement_minimum_yen = 1")
    assert (await _spend(people, town, 300, key="close-gql-1"))["userErrors"] == []
    people.later(days=10)
    answer = (await people.gql(CLOSE, town.admin, c="141305", d="2026-11-30"))["closeSettlement"]
    assert answer["userErrors"] == []
    return answer["settlement"]


async def test_an_admin_closes_the_month_and_reads_it_back(people, town):
    run = await _closed(people, town)
    assert run["periodStart"] == "2026-11-01" and run["periodEnd"] == "2026-11-30"
    assert (run["status"], run["payableYen"], run["receivableYen"], run["payoutOn"]) == (
        "CLOSED",
        300,
        0,
        "2026-12-15",
    )
    assert run["shopStatements"] == [
        {
            "shop": {"id": str(town.shop), "name": "ブレーメン通り 商店"},
            "pointsUsed": 300,
            "feeYen": 0,
            "payableYen": 300,
        }
    ]
    again = (await people.gql(CLOSE, town.admin, c="141305", d="2026-11-30"))["closeSettlement"]["settlement"]
    assert again == run
    listed = (await people.gql(RUNS, town.admin, c="141305"))["settlements"]["edges"]
    assert [e["node"] for e in listed] == [{"id": run["id"], "digest": run["digest"]}]


async def test_the_transfer_file_pays_each_shop_on_the_payout_day(people, town):
    await people.gql(SET, town.admin, s=str(town.shop), i=ACCOUNT)
    run = await _closed(people, town)
    response = await people.api.get(
        f"/settlements/{run['id']}/zengin", headers={"Authorization": f"Bearer {town.admin}"}
    )
    assert response.status_code == 200, response.text
    assert "zengin-141305-2026-11-30.txt" in response.headers["content-disposition"]
    transfers = read_transfer_file(response.content, 2026)
    assert transfers.payer.requester_code == "0000012345"
    assert transfers.payer.transfer_date == date(2026, 12, 15)
    assert [
        (p.bank_code, p.branch_code, p.account_type, p.account_number, p.name, p.amount)
        for p in transfers.payees
    ] == [("0009", "001", AccountType.ORDINARY, "0001234", "ｶ)ｷﾔﾉﾝｼﾖｳﾃﾝ", 300)]


async def test_a_shop_without_a_bank_account_stops_the_file_with_its_name(people, town):
    run = await _closed(people, town)
    response = await people.api.get(
        f"/settlements/{run['id']}/zengin", headers={"Authorization": f"Bearer {town.admin}"}
    )
    assert response.status_code == 400
    assert "ブレーメン通り 商店" in response.json()["error"]["message"]


async def test_another_municipality_sees_no_run_of_ours(people, town):
    run = await _closed(people, town)
    await people.municipality(code="131164")
    other = await people.staff(StaffRole.MUNICIPALITY_ADMIN, code="131164", login="toshima-admin")
    answer = await people.api.post(
        "/graphql",
        json={"query": ONE, "variables": {"i": run["id"]}},
        headers={"Authorization": f"Bearer {other}"},
    )
    assert answer.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    response = await people.api.get(
        f"/settlements/{run['id']}/zengin", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404
    refused = (await people.gql(CLOSE, other, c="141305", d="2026-11-30"))["closeSettlement"]
    assert [e["code"] for e in refused["userErrors"]] == ["FORBIDDEN"]


async def test_the_statements_open_in_a_spreadsheet_and_run_nothing(people, town):
    run = await _closed(people, town)
    await reader().execute("UPDATE shops SET name = '=HYPERLINK(\"http://evil\")' WHERE id = $1", town.shop)
    response = await people.api.get(
        f"/settlements/{run['id']}/statements.csv", headers={"Authorization": f"Bearer {town.admin}"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    lines = response.content[3:].decode("utf-8").split("\r\n")
    assert lines[0].startswith("種別,相手先ID,名称,ポイント")
    assert lines[1] == f'店舗への支払,{town.shop},"\'=HYPERLINK(""http://evil"")",300,0,300,0,300,0'
    assert lines[2:] == [""]
    other = await people.api.get(f"/settlements/{run['id']}/statements.csv")
    assert other.status_code == 401


async def test_a_shops_statement_prints_on_a4_with_its_figures(people, town):
    from io import BytesIO

    from pypdf import PdfReader

    run = await _closed(people, town)
    response = await people.api.get(
        f"/settlements/{run['id']}/shops/{town.shop}/statement.pdf",
        headers={"Authorization": f"Bearer {town.admin}"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    page = PdfReader(BytesIO(response.content)).pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842  # A4
    text = page.extract_text()
    for expected in (
        "精算明細書",
        "ブレーメン通り 商店",
        "2026年11月01日",
        "2026年12月15日",
        "300",
        run["digest"][:16],
    ):
        assert expected in text, (expected, text)
    missing = await people.api.get(
        f"/settlements/{run['id']}/shops/999999/statement.pdf",
        headers={"Authorization": f"Bearer {town.admin}"},
    )
    assert missing.status_code == 404
