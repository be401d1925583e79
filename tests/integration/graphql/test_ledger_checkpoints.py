"""ledgerCheckpoints: the public, signed checkpoint chain."""

from domain.ledger.checkpoints import seal_all
from domain.points import accounts

QUERY = """query($first: Int, $before: Int) {
  ledgerCheckpoints(first: $first, before: $before) {
    sequence entryCount hash previousHash keyId previous { sequence hash previous { sequence } }
  }
}"""


async def _gql(api, query, **variables):
    response = await api.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200
    return response.json()


async def test_no_checkpoints_yet_is_an_empty_list(api):
    assert await _gql(api, QUERY) == {"data": {"ledgerCheckpoints": []}}


async def test_checkpoints_come_newest_first_and_link_to_the_previous_one(api, books, db, clock):
    resident = await books.account(accounts.resident_program(1, 1))
    for batch in range(3):
        await books.grant(resident, 10 + batch)
        await seal_all(db.key, clock)
    body = await _gql(api, QUERY, first=2)
    newest, older = body["data"]["ledgerCheckpoints"]
    assert (newest["sequence"], older["sequence"]) == (3, 2)
    assert newest["previous"]["hash"] == older["hash"] == newest["previousHash"]
    assert newest["previous"]["previous"] == {"sequence": 1}
    assert newest["keyId"] == db.key.key_id
    page = await _gql(api, QUERY, first=5, before=2)
    assert [c["sequence"] for c in page["data"]["ledgerCheckpoints"]] == [1]
    assert page["data"]["ledgerCheckpoints"][0]["previous"] is None
