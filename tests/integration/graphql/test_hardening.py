"""The GraphQL endpoint's defences: limits, masking, no GET queries, production mode."""

import dataclasses
import json
import uuid

import httpx
import pytest

from api.app import create_app
from api.graphql import _PARSE, _VALIDATE
from domain.errors import DomainError, ErrorCode
from resolvers import ledger as ledger_resolvers


def _nested(depth):
    inner = "sequence"
    for _ in range(depth):
        inner = f"sequence previous {{ {inner} }}"
    return f"{{ ledgerCheckpoints {{ {inner} }} }}"


async def _post(api, query):
    response = await api.post("/graphql", json={"query": query})
    return response.status_code, response.json()


async def test_a_query_deeper_than_ten_levels_is_refused(api):
    _, ok = await _post(api, _nested(8))
    assert "errors" not in ok
    _, refused = await _post(api, _nested(12))
    assert refused["errors"][0]["message"].startswith("'anonymous' exceeds maximum operation depth of 10")


async def test_more_than_fifteen_aliases_are_refused(api):
    aliases = " ".join(f"a{i}: ledgerCheckpoints {{ sequence }}" for i in range(16))
    _, refused = await _post(api, f"{{ {aliases} }}")
    assert refused["errors"][0]["message"] == "16 aliases found. Allowed: 15"


async def test_a_document_of_more_than_two_thousand_tokens_is_refused(api):
    fields = " ".join("sequence" for _ in range(2100))
    _, refused = await _post(api, f"{{ ledgerCheckpoints {{ {fields} }} }}")
    assert (
        refused["errors"][0]["message"]
        == "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    )


async def test_a_document_seen_before_is_neither_parsed_nor_validated_again(api):
    """The caches are keyed by the text and by the rules: rules built afresh per request would make
    every request miss and validate again (3.5 ms each, measured once)."""
    query = f"{{ probe{uuid.uuid4().hex}: __typename }}"  # a text no other test sent
    parsed, validated = _PARSE.cache_info(), _VALIDATE.cache_info()
    await _post(api, query)
    assert (_PARSE.cache_info().misses, _VALIDATE.cache_info().misses) == (
        parsed.misses + 1,
        validated.misses + 1,
    )
    parsed, validated = _PARSE.cache_info(), _VALIDATE.cache_info()
    for _ in range(3):
        _, answer = await _post(api, query)
        assert answer["data"] == {f"probe{query.split('probe')[1].split(':')[0]}": "Query"}
    assert (_PARSE.cache_info().misses, _VALIDATE.cache_info().misses) == (parsed.misses, validated.misses)
    assert (_PARSE.cache_info().hits, _VALIDATE.cache_info().hits) == (parsed.hits + 3, validated.hits + 3)


async def test_errors_suggest_no_field_names(api):
    _, refused = await _post(api, "{ ledgerCheckpoint { sequence } }")
    message = refused["errors"][0]["message"]
    assert message == "Cannot query field 'ledgerCheckpoint' on type 'Query'."
    assert "Did you mean" not in message


async def test_queries_over_get_are_refused(api):
    response = await api.get("/graphql", params={"query": "{ ledgerCheckpoints { sequence } }"})
    assert response.status_code in (400, 405)
    assert "ledgerCheckpoints" not in response.text


async def test_an_unexpected_exception_is_masked(api, monkeypatch):
    async def broken(*args):
        raise RuntimeError("connection to 10.0.0.5 failed: password=hunter2")

    monkeypatch.setattr(ledger_resolvers, "list_checkpoints", broken)
    status, body = await _post(api, "{ ledgerCheckpoints { sequence } }")
    assert status == 200
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL"}
    assert "hunter2" not in str(body)


async def test_a_coded_domain_error_keeps_its_message_and_code(api, monkeypatch):
    async def refused(*args):
        raise DomainError(ErrorCode.RATE_LIMITED, "Too many requests; try again in a minute.")

    monkeypatch.setattr(ledger_resolvers, "list_checkpoints", refused)
    _, body = await _post(api, "{ ledgerCheckpoints { sequence } }")
    assert body["errors"][0]["message"] == "Too many requests; try again in a minute."
    assert body["errors"][0]["extensions"] == {"code": "RATE_LIMITED"}


async def test_development_serves_graphiql_and_introspection(api):
    page = await api.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    _, body = await _post(api, "{ __schema { queryType { name } } }")
    assert body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


@pytest.fixture
async def production_api(db, clock):
    settings = dataclasses.replace(db.settings, environment="production")
    app = create_app(settings, clock, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        yield client


async def test_production_has_no_graphiql_and_no_introspection(production_api):
    page = await production_api.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    _, body = await _post(production_api, "{ __schema { queryType { name } } }")
    assert "introspection" in body["errors"][0]["message"].lower()
    _, ok = await _post(production_api, "{ ledgerCheckpoints { sequence } }")
    assert ok == {"data": {"ledgerCheckpoints": []}}


@pytest.mark.parametrize(
    "body",
    [b"null", b"42", b'"x"', b"[" * 5000 + b"]" * 5000, b'{"query": "\xff\xfe"}', b"not json"],
)
async def test_a_body_that_is_not_a_json_object_is_a_clear_400(api, body):
    response = await api.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "Send one JSON object in UTF-8" in response.text


LOGIN = "mutation($id: String!, $pw: String!) { loginWithPassword(myKeyId: $id, password: $pw) { token } }"


@pytest.mark.parametrize(
    "variables",
    [
        {"id": "AB\u0000CD1234", "pw": "x"},
        {"id": "ABCD1234", "pw": "\ud800"},
        {"id": "A" * 20_000, "pw": "x"},
    ],
)
async def test_nul_lone_surrogates_and_runaway_text_are_invalid_input(api, variables):
    body = json.dumps({"query": LOGIN, "variables": variables})  # \\ud800 escaped, as a client sends it
    response = await api.post("/graphql", content=body, headers={"content-type": "application/json"})
    errors = response.json()["errors"]
    assert response.status_code == 200 and errors[0]["extensions"]["code"] == "INVALID_INPUT"
    literal = await api.post(
        "/graphql",
        json={
            "query": LOGIN.replace("$pw)", '"\\u0000")').replace(", $pw: String!", ""),
            "variables": {"id": "ABCD1234"},
        },
    )
    assert literal.json()["errors"][0]["extensions"]["code"] == "INVALID_INPUT"


async def test_a_variable_of_the_wrong_type_is_a_validation_error_not_internal(api):
    response = await api.post("/graphql", json={"query": LOGIN, "variables": {"id": "ABCD1234", "pw": 5}})
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert "String cannot represent a non string value" in error["message"]
