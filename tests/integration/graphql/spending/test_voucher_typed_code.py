"""A voucher a camera cannot read: the shop types the serial and its check code. The voucher page
puts the QR code first, follows the voucher's state and, once it is used, says when and where."""

from domain.sql import reader
from tests.integration.graphql.spending.test_vouchers import REDEEM, _issue

TYPED = (
    "mutation($p: ID!, $v: Int!) { issueVoucher(programId: $p, faceValue: $v)"
    " { voucher { serial token typedCode } userErrors { code } } }"
)


async def test_a_shop_types_the_code_in_any_case_width_or_spacing(people, town):
    voucher = (await people.gql(TYPED, town.resident.token, p=str(town.program), v=200))["issueVoucher"][
        "voucher"
    ]
    code = voucher["typedCode"]
    assert len(code) == 14 and code[:9] == voucher["serial"] and code[4] == code[9] == "-"
    serial, check = code[:9], code[10:]
    wrong = check[:-1] + ("A" if check[-1] != "A" else "B")
    refused = (await people.gql(REDEEM, town.clerk, t=f"{serial}-{wrong}"))["redeemVoucher"]
    assert (
        refused["userErrors"][0]["code"] == "NOT_FOUND"
    )  # a serial alone, or a guessed check, names nothing
    assert (await people.gql(REDEEM, town.clerk, t=serial))["redeemVoucher"]["userErrors"][0][
        "code"
    ] == "NOT_FOUND"
    full_width = code.lower().replace("-", " ").translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    done = (await people.gql(REDEEM, town.clerk, t=full_width))["redeemVoucher"]
    assert done["userErrors"] == [] and done["voucher"]["status"] == "REDEEMED"
    again = (await people.gql(REDEEM, town.clerk, t=code))["redeemVoucher"]
    assert again["userErrors"][0]["code"] == "ALREADY_REDEEMED"
    assert await reader().fetchval("SELECT COUNT(*) FROM voucher_redemptions") == 1


async def test_the_voucher_page_shows_the_qr_first_then_when_and_where_it_was_used(people, town, api):
    voucher = (await _issue(people, town, value=300))["voucher"]
    url = f"/v/{voucher['token']}"
    before = (await api.get(url)).text
    main = before[before.index("<main") :]
    assert main.index('class="qr-full"') < main.index("300 pt")  # the QR code comes first
    assert "使えるお店: 1店" in main and "ブレーメン通り 商店" in main and "川崎市ポイント" in main
    assert (await api.get(f"{url}/status")).json() == {"status": "ISSUED"}
    assert (await people.gql(REDEEM, town.clerk, t=voucher["token"]))["redeemVoucher"]["userErrors"] == []
    assert (await api.get(f"{url}/status")).json() == {"status": "REDEEMED"}
    after = (await api.get(url)).text
    assert "qr-full" not in after and "利用済み" in after and "ブレーメン通り 商店" in after
    assert 'id="voucher-live"' not in after  # nothing left to follow
    english = (await api.get(f"{url}?lang=en")).text
    assert "Used " in english and " at ブレーメン通り 商店" in english
    altered = voucher["token"][:-1] + ("A" if voucher["token"][-1] != "A" else "B")
    assert (await api.get(f"/v/{altered}/status")).status_code == 404
