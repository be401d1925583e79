"""A batch of expiry in one round trip on PostgreSQL (issue 18): ``mk_expire_batch``; nothing on SQLite.

What ``domain.ledger.actions.expire_lots`` does for one batch, in the server, set-based: the
accounts owning the next ``p_batch`` due lots (reserved points, vouchers and a donation event's
gifts never expire), locked in primary-key order with the expired sink; every due lot of those
accounts emptied by one UPDATE that returns what each held; each account debited and the sink
credited; one EXPIRE entry per account whose digest is the SHA-256 of the same canonical JSON
``domain.ledger.rules.entry_digest`` hashes (so ``mykey ledger verify`` checks these entries like any
other); its postings, one per lot and one to the sink. Returns one row per account: its entry, the
points and the number of lots it lost. No row: nothing was due.

The database constraints stay behind it (balance >= 0, 0 <= remaining <= original). SQLite keeps
the multi-statement path in Python; the suite runs both.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

EXPIRE_BATCH = r"""
CREATE OR REPLACE FUNCTION mk_expire_batch(
    p_now timestamptz, p_batch int, p_sink bigint, p_actor text
) RETURNS TABLE (account bigint, entry bigint, points bigint, lots int) LANGUAGE plpgsql AS $$
DECLARE
    v_accounts bigint[];
    v_lots bigint[];
    v_amounts bigint[];
    v_head text;
BEGIN
    SELECT array_agg(DISTINCT due.account_id) INTO v_accounts FROM (
        SELECT l.account_id FROM lots l JOIN accounts a ON a.id = l.account_id
        WHERE l.remaining > 0 AND l.expires_at <= p_now
          AND a.kind NOT IN ('RESIDENT_RESERVED', 'VOUCHER', 'EVENT_GIFTS')
        ORDER BY l.expires_at LIMIT p_batch) due;
    IF v_accounts IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1 FROM accounts WHERE id = ANY (v_accounts || p_sink) ORDER BY id FOR UPDATE;
    -- their lots cannot change under these locks: what each holds now is what it loses
    SELECT array_agg(l.id), array_agg(l.remaining) INTO v_lots, v_amounts FROM lots l
        WHERE l.account_id = ANY (v_accounts) AND l.remaining > 0 AND l.expires_at <= p_now;
    -- the canonical JSON of domain.ledger.rules.entry_digest up to the postings: sorted keys, no spaces
    v_head := '{"actor":' || to_json(p_actor)::text
        || ',"at":"' || to_char(p_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"'
        || ',"key":null,"kind":"EXPIRE","memo":"","postings":[';
    -- one statement, planned for this batch's arrays (EXECUTE): a cached generic plan, which
    -- PL/pgSQL switches to after five calls, guesses one row per array and joins CTEs in nested loops
    RETURN QUERY EXECUTE $q$
    WITH taken AS (
        UPDATE lots l SET remaining = 0 FROM unnest($1::bigint[], $2::bigint[]) AS due(id, amount)
        WHERE l.id = due.id AND l.remaining = due.amount
        RETURNING l.id AS lot, l.account_id AS account, due.amount AS amount
    ), per_account AS (
        SELECT t.account, sum(t.amount)::bigint AS points, count(*)::int AS lots,
               string_agg('[' || t.account || ',' || t.lot || ',' || -t.amount || ']', ',' ORDER BY t.lot)
                   AS lines
        FROM taken t GROUP BY t.account
    ), bodies AS (
        SELECT p.account, p.points, p.lots, encode(sha256(convert_to($6 || CASE
                   WHEN $3 < p.account THEN '[' || $3 || ',0,' || p.points || '],' || p.lines
                   ELSE p.lines || ',[' || $3 || ',0,' || p.points || ']' END || ']}', 'UTF8')), 'hex')
                   AS digest
        FROM per_account p
    ), debited AS (
        UPDATE accounts a SET balance = a.balance - p.points, version = a.version + 1
        FROM per_account p WHERE a.id = p.account
    ), credited AS (
        UPDATE accounts SET balance = balance + (SELECT sum(p.points) FROM per_account p), version = version + 1
        WHERE id = $3
    ), entries AS (
        INSERT INTO journal_entries (kind, actor, idempotency_key, memo, created_at, digest)
        SELECT 'EXPIRE', $5, NULL, '', $4, b.digest FROM bodies b ORDER BY b.account
        RETURNING id, digest
    ), written AS (
        SELECT b.account, e.id AS entry, b.points, b.lots FROM bodies b JOIN entries e ON e.digest = b.digest
    ), posted AS (
        INSERT INTO postings (entry_id, account_id, lot_id, amount)
        SELECT x.entry, x.account, x.lot, x.amount FROM (
            SELECT w.entry, t.account, t.lot, -t.amount AS amount, 0 AS last
            FROM written w JOIN taken t ON t.account = w.account
            UNION ALL
            SELECT w.entry, $3, NULL, w.points, 1 FROM written w
        ) x ORDER BY x.entry, x.last, x.lot
    )
    SELECT w.account, w.entry, w.points, w.lots FROM written w ORDER BY w.account
    $q$ USING v_lots, v_amounts, p_sink, p_now, p_actor, v_head;
END
$$
"""

DROP = "DROP FUNCTION IF EXISTS mk_expire_batch(timestamptz, int, bigint, text)"


async def install(apps: StateApps, editor: BaseSchemaEditor) -> None:
    if editor.client.capabilities.dialect == "postgres":
        await editor.client.execute_script(EXPIRE_BATCH)


async def remove(apps: StateApps, editor: BaseSchemaEditor) -> None:
    if editor.client.capabilities.dialect == "postgres":
        await editor.client.execute_script(DROP)


class Migration(migrations.Migration):
    dependencies = [("models", "0019_spend_function")]

    initial = False

    operations = [ops.RunPython(install, reverse_code=remove)]
