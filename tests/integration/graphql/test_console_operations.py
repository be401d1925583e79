"""The console's operations over GraphQL: program edits, staff, grant batches by department, the audit
log, and a payout marked as sent once."""

from tests.integration.graphql.spending.test_spend_points import _spend


async def test_update_program_and_read_the_audit_log(people, town):
    done = await people.gql(
        'mutation($p: ID!) { updateProgram(programId: $p, input: {name: "川崎市ポイント2", validityDays: 200,'
        " uses: [SHOPS, BUS]}) { program { name validityDays uses } userErrors { code field } } }",
        town.admin,
        p=str(town.program),
    )
    assert done["updateProgram"]["program"] == {
        "name": "川崎市ポイント2",
        "validityDays": 200,
        "uses": ["BUS", "SHOPS"],
    }
    refused = await people.gql(
        'mutation($p: ID!) { updateProgram(programId: $p, input: {name: "x", validityDays: 200,'
        " uses: [SHOPS], yenPerPoint: 3}) { userErrors { code field } } }",
        town.admin,
        p=str(town.program),
    )
    assert refused["updateProgram"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "yenPerPoint"}]
    log = await people.gql('{ auditLog(municipalityCode: "141305") { who action subject } }', town.admin)
    assert log["auditLog"][0] == {
        "who": "municipality_admin-141305-0",
        "action": "program.update",
        "subject": "川崎市ポイント2",
    }
    assert any(e["action"] == "grant" for e in log["auditLog"])  # the town's grants


async def test_staff_and_batches_by_department(people, town):
    members = await people.gql(
        '{ staffMembers(municipalityCode: "141305") { id login role active } }', town.admin
    )
    staff = next(m for m in members["staffMembers"] if m["role"] == "MUNICIPALITY_STAFF")
    batches = await people.gql(
        '{ grantBatches(municipalityCode: "141305") { department sentBy rows } }', town.staff
    )
    assert batches["grantBatches"] == [
        {"department": "健康福祉局", "sentBy": "municipality_staff-141305-0", "rows": 1},
        {"department": "健康福祉局", "sentBy": "municipality_staff-141305-0", "rows": 1},
    ]
    stopped = await people.gql(
        "mutation($s: ID!) { deactivateStaff(staffId: $s) { staff { login } userErrors { code } } }",
        town.admin,
        s=staff["id"],
    )
    assert stopped["deactivateStaff"]["userErrors"] == []
    after = await people.gql('{ staffMembers(municipalityCode: "141305") { login active } }', town.admin)
    assert {"login": staff["login"], "active": False} in after["staffMembers"]


async def test_a_payout_is_marked_as_sent_once(people, town):
    assert (await _spend(people, town, 1000, key="gql-pay-1"))["userErrors"] == []
    people.later(days=10)
    closed = await people.gql(
        'mutation { closeSettlement(municipalityCode: "141305", periodEnd: "2026-11-30")'
        " { settlement { shopStatements { statementId payableYen paidAt } } } }",
        town.admin,
    )
    statement = closed["closeSettlement"]["settlement"]["shopStatements"][0]
    assert statement["payableYen"] == 1000 and statement["paidAt"] is None
    mark = "mutation($s: ID!) { markPayoutSent(statementId: $s) { paidAt userErrors { code field } } }"
    first = await people.gql(mark, town.admin, s=statement["statementId"])
    assert first["markPayoutSent"]["paidAt"] is not None
    again = await people.gql(mark, town.admin, s=statement["statementId"])
    assert again["markPayoutSent"]["userErrors"] == [{"code": "INVALID_INPUT", "field": "statementId"}]
