"""Service IDs: linking, and the counter lookup that answers only the terminal's own service."""

from datetime import timedelta

from domain.clock import japan_date
from domain.links.actions import count_lookups
from domain.sql import reader
from models.staff import StaffRole

LINK = (
    "mutation($s: String!, $c: String!, $v: Date) { linkService(serviceCode: $s, customerId: $c,"
    " validUntil: $v)"
    " { link { serviceCode customerId validUntil needsReconfirmation } userErrors { code field } } }"
)
UNLINK = "mutation($s: String!) { unlinkService(serviceCode: $s) { serviceCode userErrors { code } } }"
LOOKUP = (
    "mutation($p: CardProofInput!) { counterLookup(proof: $p)"
    " { serviceCode customerId validUntil needsReconfirmation userErrors { code } } }"
)


async def _setup(people):
    await people.municipality()
    await people.service("A1", "図書館")
    await people.service("B2", "美術館")
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    return await people.terminal("LOOKUP", admin, serviceCode="A1")


async def test_the_counter_gets_only_its_own_service_number(people):
    terminal = await _setup(people)
    resident = await people.register()
    await people.gql(LINK, resident.token, s="A1", c="789")
    await people.gql(LINK, resident.token, s="B2", c="M-555")
    answer = (await people.gql(LOOKUP, terminal, p=await people.proof(resident.card, terminal=terminal)))[
        "counterLookup"
    ]
    assert answer == {
        "serviceCode": "A1",
        "customerId": "789",
        "validUntil": None,
        "needsReconfirmation": False,
        "userErrors": [],
    }
    service_id = await reader().fetchval("SELECT id FROM services WHERE code = 'A1'")
    assert await count_lookups(reader(), service_id, japan_date(people.clock.now())) == 1


async def test_a_card_without_a_link_gets_not_found_and_nothing_is_counted(people):
    terminal = await _setup(people)
    resident = await people.register()
    await people.gql(LINK, resident.token, s="B2", c="M-555")
    answer = (await people.gql(LOOKUP, terminal, p=await people.proof(resident.card, terminal=terminal)))[
        "counterLookup"
    ]
    assert answer["userErrors"] == [{"code": "NOT_FOUND"}]
    assert await reader().fetchval("SELECT COUNT(*) FROM service_lookup_counts") == 0


async def test_visits_are_kept_only_as_daily_counts(people):
    terminal = await _setup(people)
    first, second = await people.register(), await people.register()
    for resident, number in ((first, "1"), (second, "2")):
        await people.gql(LINK, resident.token, s="A1", c=number)
        await people.gql(LOOKUP, terminal, p=await people.proof(resident.card, terminal=terminal))
    rows = await reader().fetch("SELECT * FROM service_lookup_counts")
    assert len(rows) == 1 and rows[0]["lookups"] == 2
    assert set(rows[0]) == {"id", "service_id", "day", "lookups"}  # no resident, no card, no time


async def test_linking_validates_and_replaces(people):
    await _setup(people)
    resident = await people.register()
    bad = (await people.gql(LINK, resident.token, s="A1", c="78 9"))["linkService"]
    assert bad["userErrors"] == [{"code": "INVALID_INPUT", "field": "customerId"}]
    unknown = (await people.gql(LINK, resident.token, s="Z9", c="1"))["linkService"]
    assert unknown["userErrors"] == [{"code": "NOT_FOUND", "field": "serviceCode"}]
    past = (await people.gql(LINK, resident.token, s="A1", c="1", v="2020-01-01"))["linkService"]
    assert past["userErrors"] == [{"code": "INVALID_INPUT", "field": "validUntil"}]
    await people.gql(LINK, resident.token, s="A1", c="789")
    replaced = (await people.gql(LINK, resident.token, s="A1", c="790", v="2027-03-31"))["linkService"]
    assert replaced["link"]["customerId"] == "790" and replaced["link"]["validUntil"] == "2027-03-31"
    links = await people.gql("{ me { serviceLinks { serviceCode customerId } } }", resident.token)
    assert links["me"]["serviceLinks"] == [{"serviceCode": "A1", "customerId": "790"}]
    other = await people.register()
    taken = (await people.gql(LINK, other.token, s="A1", c="790"))["linkService"]
    assert taken["userErrors"] == [{"code": "INVALID_INPUT", "field": "customerId"}]
    assert (await people.gql(UNLINK, resident.token, s="A1"))["unlinkService"]["userErrors"] == []
    assert (await people.gql(UNLINK, resident.token, s="A1"))["unlinkService"]["userErrors"] == [
        {"code": "NOT_FOUND"}
    ]


async def test_reconfirmation_is_due_yearly_after_a_move_or_past_the_membership(people):
    terminal = await _setup(people)
    await people.municipality("131164", "豊島区")
    resident = await people.register()
    await people.gql(
        LINK, resident.token, s="A1", c="789", v=str(japan_date(people.clock.now()) + timedelta(days=30))
    )

    async def flag():
        return (await people.gql(LOOKUP, terminal, p=await people.proof(resident.card, terminal=terminal)))[
            "counterLookup"
        ]["needsReconfirmation"]

    assert await flag() is False
    people.later(days=31)
    assert await flag() is True  # the membership ran out
    await people.gql(LINK, await people.login(resident), s="A1", c="789")
    assert await flag() is False
    await people.gql(
        'mutation { updateSettings(input: {basicMunicipalityCode: "131164"}) { userErrors { code } } }',
        resident.token,
    )
    assert await flag() is True  # the resident moved
    await people.gql(LINK, resident.token, s="A1", c="789")
    people.later(days=365)
    assert await flag() is True  # the yearly check


REGISTER_LOOKUP = (
    'mutation($s: String!) { registerTerminal(input: {kind: LOOKUP, name: "カウンター",'
    ' municipalityCode: "141305", serviceCode: $s}) { activationCode userErrors { code field } } }'
)


async def test_a_counter_terminal_answers_only_for_its_own_municipalitys_services(people):
    await people.municipality()
    await people.municipality("131164")
    await people.service("A1", "川崎市立図書館", "141305")
    await people.service("B2", "豊島区立中央図書館", "131164")
    await people.service("C3", "県立体育館チェーン", None)  # serves several municipalities
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    other_city = (await people.gql(REGISTER_LOOKUP, admin, s="B2"))["registerTerminal"]
    assert other_city == {
        "activationCode": None,
        "userErrors": [{"code": "NOT_FOUND", "field": "serviceCode"}],
    }
    shared = (await people.gql(REGISTER_LOOKUP, admin, s="C3"))["registerTerminal"]
    assert shared["userErrors"] == [{"code": "FORBIDDEN", "field": "serviceCode"}]
    assert await reader().fetchval("SELECT COUNT(*) FROM terminals") == 0
    own = (await people.gql(REGISTER_LOOKUP, admin, s="A1"))["registerTerminal"]
    assert own["userErrors"] == [] and own["activationCode"]
    operator = await people.operator()
    by_operator = (await people.gql(REGISTER_LOOKUP, operator, s="C3"))["registerTerminal"]
    assert by_operator["userErrors"] == []
