"""setShopBankAccount: where a municipality pays a shop, checked and kept in the bank file's form."""

import pytest

from domain.sql import reader
from models.staff import StaffRole

SET = (
    "mutation($s: ID!, $i: BankAccountInput!) { setShopBankAccount(shopId: $s, input: $i) {"
    " shop { id name } bankAccount { bankCode branchCode accountType accountNumber holderKana }"
    " userErrors { code field message } } }"
)
ACCOUNT = {
    "bankCode": "0009",
    "branchCode": "001",
    "accountType": "ORDINARY",
    "accountNumber": "0001234",
    "holderKana": "カ）キャノンショウテン",
}


async def _stored(shop):
    return await reader().fetchrow(
        "SELECT bank_code, branch_code, account_type, account_number, account_holder, account_set_by"
        " FROM shops WHERE id = $1",
        shop,
    )


async def test_an_admin_sets_the_account_in_the_bank_files_form(people):
    await people.municipality()
    shop = await people.shop()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    answer = (await people.gql(SET, admin, s=str(shop), i=ACCOUNT))["setShopBankAccount"]
    assert answer["userErrors"] == []
    assert answer["bankAccount"] == {
        "bankCode": "0009",
        "branchCode": "001",
        "accountType": "ORDINARY",
        "accountNumber": "0001234",
        "holderKana": "ｶ)ｷﾔﾉﾝｼﾖｳﾃﾝ",  # small kana large, half-width: what the 総合振込 file needs
    }
    stored = await _stored(shop)
    assert stored["account_holder"] == "ｶ)ｷﾔﾉﾝｼﾖｳﾃﾝ"
    assert str(stored["account_set_by"]).startswith("municipality_admin:")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"bankCode": "0999"}, "bankAccount.bankCode"),  # no such bank in the 全銀協 list
        ({"branchCode": "999"}, "bankAccount.branchCode"),  # 三井住友 has no branch 999
        ({"accountType": "SAVINGS"}, "bankAccount.accountType"),
        ({"accountNumber": "123"}, "bankAccount.accountNumber"),
        ({"holderKana": "山田商店"}, "bankAccount.holderKana"),  # kanji: refused, never guessed
        ({"holderKana": "ア" * 31}, "bankAccount.holderKana"),  # never cut
    ],
)
async def test_a_bad_account_is_refused_and_nothing_is_stored(people, changes, field):
    await people.municipality()
    shop = await people.shop()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    answer = (await people.gql(SET, admin, s=str(shop), i=ACCOUNT | changes))["setShopBankAccount"]
    assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [("INVALID_INPUT", field)]
    assert answer["bankAccount"] is None
    assert (await _stored(shop))["bank_code"] is None


async def test_another_municipalitys_admin_cannot_redirect_a_shops_money(people):
    await people.municipality()
    shop = await people.shop()
    await people.municipality(code="131164")
    other = await people.staff(StaffRole.MUNICIPALITY_ADMIN, code="131164", login="toshima-admin")
    answer = (await people.gql(SET, other, s=str(shop), i=ACCOUNT))["setShopBankAccount"]
    assert [e["code"] for e in answer["userErrors"]] == ["FORBIDDEN"]
    assert (await _stored(shop))["bank_code"] is None


async def test_an_unknown_shop_is_not_found(people):
    await people.municipality()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    answer = (await people.gql(SET, admin, s="999999", i=ACCOUNT))["setShopBankAccount"]
    assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [("NOT_FOUND", "shopId")]
