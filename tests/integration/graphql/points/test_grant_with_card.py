"""A GRANT terminal at an event: the resident presents the card and receives the points."""

from domain.sql import reader

GRANT = (
    "mutation($p: CardProofInput!, $g: ID!, $n: Int!, $k: String!) { grantPointsWithCard(proof: $p,"
    ' programId: $g, points: $n, reason: "健康ウォーク", idempotencyKey: $k)'
    " { myKeyId points userErrors { code field reason } } }"
)


async def test_a_card_at_the_event_receives_the_points_once(people, town):
    terminal = await people.terminal("GRANT", town.admin)
    proof = await people.proof(town.resident.card, terminal=terminal)
    done = (await people.gql(GRANT, terminal, p=proof, g=str(town.program), n=500, k="walk-2026-1"))[
        "grantPointsWithCard"
    ]
    assert done == {"myKeyId": town.resident.my_key_id, "points": 500, "userErrors": []}
    again = await people.proof(town.resident.card, terminal=terminal)
    replay = (await people.gql(GRANT, terminal, p=again, g=str(town.program), n=500, k="walk-2026-1"))[
        "grantPointsWithCard"
    ]
    assert replay["points"] == 500  # the same key: the same grant, not a second one
    assert (
        await reader().fetchval("SELECT COUNT(*) FROM journal_entries WHERE memo LIKE '%健康ウォーク%'") == 1
    )


async def test_an_unknown_card_or_a_pay_terminal_is_refused(people, town):
    terminal = await people.terminal("GRANT", town.admin)
    stranger = await people.proof(people.card(), terminal=terminal)
    refused = (await people.gql(GRANT, terminal, p=stranger, g=str(town.program), n=100, k="walk-x"))[
        "grantPointsWithCard"
    ]
    assert refused["userErrors"] == [{"code": "NOT_FOUND", "field": "proof", "reason": "card.unregistered"}]
    proof = await people.proof(town.resident.card, terminal=town.pay)
    wrong = (await people.gql(GRANT, town.pay, p=proof, g=str(town.program), n=100, k="walk-y"))[
        "grantPointsWithCard"
    ]
    assert wrong["userErrors"][0]["code"] == "FORBIDDEN"
    zero = await people.proof(town.resident.card, terminal=terminal)
    bad = (await people.gql(GRANT, terminal, p=zero, g=str(town.program), n=0, k="walk-z"))[
        "grantPointsWithCard"
    ]
    assert bad["userErrors"][0]["field"] == "points"
