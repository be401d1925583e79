"""Onboarding from the JIS X 0402 list; programs, support events, premiums, departments, acceptance."""

from datetime import date, timedelta

import pytest

from domain.municipalities.catalogue import catalogue_size
from domain.sql import reader
from models.programs import ProgramKind
from models.staff import StaffRole

ADD = (
    "mutation($i: AddMunicipalityInput!) { addMunicipality(input: $i)"
    " { municipality { code name prefecture kana } userErrors { code field } } }"
)
BANK = {
    "bankCode": "0001",
    "branchCode": "001",
    "accountType": "ORDINARY",
    "accountNumber": "1234567",
    "holderKana": "ﾖｺﾊﾏｼ",
}
ADD_PROGRAM = (
    "mutation($i: AddProgramInput!) { addProgram(input: $i) { program { id kind name validityDays uses }"
    " userErrors { code field } } }"
)


def _form(code="141003", **changes):
    return {
        "code": code,
        "contactEmail": "points@city.yokohama.jp",
        "contactPhone": "045-671-2121",
        "bankAccount": BANK,
    } | changes


def test_the_catalogue_is_the_whole_jis_list():
    assert catalogue_size() == 1741


async def test_onboarding_takes_names_from_the_list(people):
    operator = await people.operator()
    answer = (await people.gql(ADD, operator, i=_form()))["addMunicipality"]
    assert answer == {
        "municipality": {"code": "141003", "name": "横浜市", "prefecture": "神奈川県", "kana": "ヨコハマシ"},
        "userErrors": [],
    }
    again = (await people.gql(ADD, operator, i=_form()))["addMunicipality"]
    assert again["userErrors"] == [{"code": "INVALID_INPUT", "field": "code"}]
    found = await people.gql('{ municipalityCatalogue(search: "ヨコハマ") { code participating } }', operator)
    assert {"code": "141003", "participating": True} in found["municipalityCatalogue"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "141300"}, "code"),  # wrong check digit
        ({"code": "141313"}, "code"),  # right check digit, no such municipality
        ({"contactEmail": "nobody"}, "contactEmail"),
        ({"contactPhone": "call me"}, "contactPhone"),
        ({"bankAccount": BANK | {"bankCode": "12"}}, "bankAccount.bankCode"),
        ({"bankAccount": BANK | {"bankCode": "0999"}}, "bankAccount.bankCode"),  # no such bank
        ({"bankAccount": BANK | {"branchCode": "999"}}, "bankAccount.branchCode"),  # no such branch
        ({"bankAccount": BANK | {"accountType": "SAVINGS"}}, "bankAccount.accountType"),
        ({"bankAccount": BANK | {"accountNumber": "12345678"}}, "bankAccount.accountNumber"),
        ({"bankAccount": BANK | {"holderKana": "横浜市"}}, "bankAccount.holderKana"),
    ],
)
async def test_bad_onboarding_is_refused(people, changes, field):
    operator = await people.operator()
    answer = (await people.gql(ADD, operator, i=_form(**changes)))["addMunicipality"]
    assert answer["userErrors"][0]["field"] == field
    assert await reader().fetchval("SELECT COUNT(*) FROM municipalities") == 0


async def test_public_reads_list_municipalities_and_their_programs(people):
    await people.municipality()
    await people.municipality("131164")
    await people.program("141305", name="川崎市ポイント")
    listing = await people.gql(
        "{ municipalities(first: 1) { edges { cursor node { code programs { name kind } } } pageInfo {"
        " hasNextPage endCursor } } }"
    )
    page = listing["municipalities"]
    assert [e["node"]["code"] for e in page["edges"]] == ["131164"]
    assert page["pageInfo"]["hasNextPage"] is True
    after = page["pageInfo"]["endCursor"]
    rest = await people.gql(
        "query($a: String) { municipalities(first: 5, after: $a) { edges { node { code programs { name }"
        " } } } }",
        a=after,
    )
    assert rest["municipalities"]["edges"] == [
        {"node": {"code": "141305", "programs": [{"name": "川崎市ポイント"}]}}
    ]
    searched = await people.gql('{ municipalities(search: "川崎") { edges { node { code } } } }')
    assert [e["node"]["code"] for e in searched["municipalities"]["edges"]] == ["141305"]
    one = await people.gql(
        '{ municipality(code: "141305") { name } nothing: municipality(code: "999999") { name } }'
    )
    assert one == {"municipality": {"name": "川崎市"}, "nothing": None}


async def test_programs_and_support_events(people):
    await people.municipality()
    await people.municipality("131164")
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    regular = {
        "municipalityCode": "141305",
        "kind": "REGULAR",
        "name": "川崎市ポイント",
        "validityDays": 100,
        "uses": ["SHOPS", "BUS"],
    }
    made = (await people.gql(ADD_PROGRAM, admin, i=regular))["addProgram"]
    assert made["program"]["validityDays"] == 100 and sorted(made["program"]["uses"]) == ["BUS", "SHOPS"]
    second = (await people.gql(ADD_PROGRAM, admin, i=regular | {"name": "別の"}))["addProgram"]
    assert second["userErrors"] == [{"code": "INVALID_INPUT", "field": "name"}]  # one regular program each
    event = regular | {"kind": "SUPPORT_EVENT", "name": "花火大会"}
    no_window = (await people.gql(ADD_PROGRAM, admin, i=event))["addProgram"]
    assert no_window["userErrors"] == [{"code": "INVALID_INPUT", "field": "endsOn"}]
    today = date(2026, 11, 21)
    backwards = event | {
        "startsOn": str(today),
        "endsOn": str(today - timedelta(days=1)),
        "organiser": "実行委員会",
    }
    assert (await people.gql(ADD_PROGRAM, admin, i=backwards))["addProgram"]["userErrors"][0][
        "field"
    ] == "endsOn"
    no_organiser = event | {"startsOn": str(today), "endsOn": str(today + timedelta(days=30))}
    assert (await people.gql(ADD_PROGRAM, admin, i=no_organiser))["addProgram"]["userErrors"][0][
        "field"
    ] == "organiser"
    good = no_organiser | {"organiser": "花火大会実行委員会", "purpose": "開催を応援"}
    assert (await people.gql(ADD_PROGRAM, admin, i=good))["addProgram"]["program"]["kind"] == "SUPPORT_EVENT"
    elsewhere = (await people.gql(ADD_PROGRAM, admin, i=regular | {"municipalityCode": "131164"}))[
        "addProgram"
    ]
    assert elsewhere["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    for bad, field in [
        ({"validityDays": 0}, "validityDays"),
        ({"yenPerPoint": 0}, "yenPerPoint"),
        ({"uses": []}, "uses"),
    ]:
        answer = await people.gql(
            ADD_PROGRAM, admin, i=regular | {"municipalityCode": "141305", "name": "x"} | bad
        )
        assert answer["addProgram"]["userErrors"][0]["field"] == field


async def test_premium_campaigns_do_not_overlap(people):
    await people.municipality()
    program = await people.program()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    add = (
        "mutation($p: ID!, $r: Int!, $s: DateTime!, $e: DateTime!) { addPremiumCampaign(programId: $p,"
        " ratePercent: $r,"
        " startsAt: $s, endsAt: $e) { campaign { ratePercent } userErrors { code field } } }"
    )
    start = people.clock.now()
    window = {"s": start.isoformat(), "e": (start + timedelta(days=10)).isoformat()}
    assert (await people.gql(add, admin, p=str(program.id), r=20, **window))["addPremiumCampaign"][
        "campaign"
    ] == {"ratePercent": 20}
    overlap = await people.gql(
        add, admin, p=str(program.id), r=10, s=(start + timedelta(days=5)).isoformat(), e=window["e"]
    )
    assert overlap["addPremiumCampaign"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "startsAt"}]
    too_much = await people.gql(add, admin, p=str(program.id), r=101, **window)
    assert too_much["addPremiumCampaign"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "ratePercent"}]
    shown = await people.gql('{ municipality(code: "141305") { programs { premium { ratePercent } } } }')
    assert shown["municipality"]["programs"] == [{"premium": {"ratePercent": 20}}]


ADD_CAMPAIGN = (
    "mutation($p: ID!, $s: DateTime!, $e: DateTime!) { addPremiumCampaign(programId: $p, ratePercent: 20,"
    " startsAt: $s, endsAt: $e) { campaign { id } userErrors { code field message } } }"
)
END_CAMPAIGN = (
    "mutation($c: ID!) { endPremiumCampaign(campaignId: $c) { campaign { endsAt } deleted"
    " userErrors { code field } } }"
)


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        ("0001-01-01T00:00:00+00:00", "2026-12-01T00:00:00+09:00", "startsAt"),
        ("2026-11-22T00:00:00+09:00", "9999-12-31T00:00:00+00:00", "endsAt"),
        ("2026-11-22T00:00:00", "2026-12-01T00:00:00+09:00", "startsAt"),  # no offset: which 00:00?
    ],
)
async def test_a_campaign_outside_a_sane_window_is_refused_and_nothing_breaks(people, starts, ends, field):
    await people.municipality()
    program = await people.program()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    answer = (await people.gql(ADD_CAMPAIGN, admin, p=str(program.id), s=starts, e=ends))[
        "addPremiumCampaign"
    ]
    assert [(e["code"], e["field"]) for e in answer["userErrors"]] == [("INVALID_INPUT", field)]
    assert await reader().fetchval("SELECT COUNT(*) FROM premium_campaigns") == 0
    shown = await people.gql('{ municipality(code: "141305") { programs { premium { ratePercent } } } }')
    assert shown["municipality"]["programs"] == [{"premium": None}]


async def test_support_event_days_and_membership_dates_stay_in_a_sane_window(people):
    await people.municipality()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    event = {
        "municipalityCode": "141305",
        "kind": "SUPPORT_EVENT",
        "name": "花火大会",
        "validityDays": 100,
        "uses": ["SHOPS"],
        "startsOn": "0001-01-01",
        "endsOn": "2026-12-01",
        "organiser": "実行委員会",
    }
    answer = await people.gql(ADD_PROGRAM, admin, i=event)
    assert answer["addProgram"]["userErrors"][0]["field"] == "startsOn"
    await people.service("A1")
    resident = await people.register()
    linked = await people.gql(
        'mutation { linkService(serviceCode: "A1", customerId: "789", validUntil: "9999-12-31")'
        " { userErrors { code field } } }",
        resident.token,
    )
    assert linked["linkService"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "validUntil"}]


async def test_an_admin_ends_a_running_campaign_and_deletes_one_not_started(people):
    await people.municipality()
    program = await people.program()
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    now = people.clock.now()
    running = await people.gql(
        ADD_CAMPAIGN, admin, p=str(program.id), s=now.isoformat(), e=(now + timedelta(days=10)).isoformat()
    )
    later = await people.gql(
        ADD_CAMPAIGN,
        admin,
        p=str(program.id),
        s=(now + timedelta(days=20)).isoformat(),
        e=(now + timedelta(days=30)).isoformat(),
    )
    running_id = running["addPremiumCampaign"]["campaign"]["id"]
    later_id = later["addPremiumCampaign"]["campaign"]["id"]
    await people.municipality("131164")
    stranger = await people.staff(StaffRole.MUNICIPALITY_ADMIN, "131164")
    refused = await people.gql(END_CAMPAIGN, stranger, c=running_id)
    assert refused["endPremiumCampaign"]["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    people.later(hours=1)
    ended = (await people.gql(END_CAMPAIGN, admin, c=running_id))["endPremiumCampaign"]
    assert ended["deleted"] is False and ended["userErrors"] == []
    assert ended["campaign"]["endsAt"] == people.clock.now().isoformat()
    shown = await people.gql('{ municipality(code: "141305") { programs { premium { ratePercent } } } }')
    assert shown["municipality"]["programs"] == [{"premium": None}]
    again = (await people.gql(END_CAMPAIGN, admin, c=running_id))["endPremiumCampaign"]
    assert again["userErrors"] == [{"code": "INVALID_INPUT", "field": "campaignId"}]
    deleted = (await people.gql(END_CAMPAIGN, admin, c=later_id))["endPremiumCampaign"]
    assert deleted["deleted"] is True
    assert await reader().fetchval("SELECT COUNT(*) FROM premium_campaigns") == 1
    gone = (await people.gql(END_CAMPAIGN, admin, c=later_id))["endPremiumCampaign"]
    assert gone["userErrors"] == [{"code": "NOT_FOUND", "field": "campaignId"}]


async def test_departments_and_shop_acceptance(people):
    await people.municipality()
    await people.municipality("131164")
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    add = (
        'mutation($n: String!) { addDepartment(municipalityCode: "141305", name: $n) { name userErrors {'
        " code } } }"
    )
    assert (await people.gql(add, admin, n="こども未来局"))["addDepartment"]["name"] == "こども未来局"
    assert (await people.gql(add, admin, n="こども未来局"))["addDepartment"]["userErrors"] == [
        {"code": "INVALID_INPUT"}
    ]
    own, foreign = await people.program("141305"), await people.program("131164")
    shop = await people.shop()
    accept = (
        "mutation($s: ID!, $p: [ID!]!) { setShopPrograms(shopId: $s, programIds: $p) { programIds"
        " userErrors { code } } }"
    )
    assert (await people.gql(accept, admin, s=str(shop), p=[str(own.id)]))["setShopPrograms"][
        "programIds"
    ] == [str(own.id)]
    refused = await people.gql(accept, admin, s=str(shop), p=[str(foreign.id)])
    assert refused["setShopPrograms"]["userErrors"] == [{"code": "NOT_ACCEPTED_HERE"}]
    kept = await reader().fetch("SELECT program_id FROM shop_programs")
    assert [int(r["program_id"]) for r in kept] == [own.id]
    assert own.kind == ProgramKind.REGULAR
