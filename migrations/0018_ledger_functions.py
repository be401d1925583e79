"""Money movements in one round trip on PostgreSQL (issue 18): two functions, nothing on SQLite.

* ``mk_post_entry``: what ``domain.ledger.journal.post_entry`` does, inside the server: every
  account's net change by one guarded UPDATE per account in primary-key order; each source's lots
  taken earliest expiry first (expires_at, created_at, id) with a guarded UPDATE each; new lots for
  each destination that tracks them, one per (funder, expiry) in the order their points arrived;
  the entry with the SHA-256 digest of the same canonical JSON ``domain.ledger.rules.entry_digest``
  hashes; its postings. A debit that would go below zero raises SQLSTATE ``MKP01`` with the points
  it needed as DETAIL; nothing is written (the caller's transaction rolls back).
* ``mk_redeem_voucher``: the voucher's guarded ``ISSUED → REDEEMED`` flip, the move of its value
  into the shop's account (``mk_post_entry``) and the redemption row. NULL when the flip took
  nothing (another scan won, the voucher expired or was voided); -1 when the shop has no account in
  the shard asked for yet (the caller opens it and asks again).

The database constraints stay behind both (balance >= 0, lots' remaining >= 0, the UNIQUE
redemption). SQLite keeps the multi-statement path in Python; the suite runs both.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

POST_ENTRY = r"""
CREATE OR REPLACE FUNCTION mk_post_entry(
    p_kind text, p_actor text, p_key text, p_memo text, p_now timestamptz, p_lots_as_of timestamptz,
    p_sources bigint[], p_dests bigint[], p_amounts bigint[],
    p_source_lots boolean[], p_dest_lots boolean[], p_may_go_negative bigint[],
    p_funder_kinds text[], p_funder_refs text[], p_expires timestamptz[],
    OUT entry_id bigint, OUT digest text,
    OUT posting_accounts bigint[], OUT posting_lots bigint[], OUT posting_amounts bigint[]
) LANGUAGE plpgsql AS $$
DECLARE
    r record;
    lot record;
    i int;
    left_over bigint;
    took bigint;
    new_lot bigint;
    piece_lots bigint[];
    piece_amounts bigint[];
    piece_kinds text[];
    piece_refs text[];
    piece_expires timestamptz[];
    body text;
BEGIN
    posting_accounts := '{}';
    posting_lots := '{}';
    posting_amounts := '{}';
    FOR r IN
        SELECT t.account, sum(t.delta) AS delta FROM (
            SELECT s.account, -s.amount AS delta FROM unnest(p_sources, p_amounts) AS s(account, amount)
            UNION ALL
            SELECT d.account, d.amount FROM unnest(p_dests, p_amounts) AS d(account, amount)
        ) t GROUP BY t.account ORDER BY t.account
    LOOP
        IF r.delta < 0 AND NOT (r.account = ANY (p_may_go_negative)) THEN
            UPDATE accounts SET balance = balance + r.delta, version = version + 1
                WHERE id = r.account AND balance >= -r.delta;
            IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = 'MKP01', MESSAGE = 'insufficient points', DETAIL = (-r.delta)::text;
            END IF;
        ELSE
            UPDATE accounts SET balance = balance + r.delta, version = version + 1 WHERE id = r.account;
        END IF;
    END LOOP;

    FOR i IN 1 .. coalesce(array_length(p_amounts, 1), 0) LOOP
        IF p_source_lots[i] THEN
            piece_lots := '{}'; piece_amounts := '{}'; piece_kinds := '{}'; piece_refs := '{}';
            piece_expires := '{}';
            left_over := p_amounts[i];
            FOR lot IN
                SELECT l.id, l.remaining, l.funder_kind, l.funder_ref, l.expires_at FROM lots l
                WHERE l.account_id = p_sources[i] AND l.remaining > 0 AND l.expires_at > p_lots_as_of
                ORDER BY l.expires_at, l.created_at, l.id
            LOOP
                took := least(lot.remaining, left_over);
                UPDATE lots SET remaining = remaining - took WHERE id = lot.id AND remaining >= took;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'lot % changed under a locked account', lot.id;
                END IF;
                piece_lots := piece_lots || lot.id;
                piece_amounts := piece_amounts || took;
                piece_kinds := piece_kinds || lot.funder_kind::text;
                piece_refs := piece_refs || lot.funder_ref::text;
                piece_expires := piece_expires || lot.expires_at;
                posting_accounts := posting_accounts || p_sources[i];
                posting_lots := posting_lots || lot.id;
                posting_amounts := posting_amounts || -took;
                left_over := left_over - took;
                EXIT WHEN left_over = 0;
            END LOOP;
            IF left_over > 0 THEN
                RAISE EXCEPTION USING ERRCODE = 'MKP01', MESSAGE = 'insufficient points', DETAIL = p_amounts[i]::text;
            END IF;
        ELSE
            piece_lots := ARRAY[NULL::bigint];
            piece_amounts := ARRAY[p_amounts[i]];
            piece_kinds := ARRAY[p_funder_kinds[i]];
            piece_refs := ARRAY[p_funder_refs[i]];
            piece_expires := ARRAY[p_expires[i]];
            posting_accounts := posting_accounts || p_sources[i];
            posting_lots := posting_lots || NULL::bigint;
            posting_amounts := posting_amounts || -p_amounts[i];
        END IF;
        IF p_dest_lots[i] THEN
            FOR r IN
                SELECT g.kind, g.ref, g.expires, sum(g.amount) AS amount, count(*) AS pieces,
                       min(g.lot) AS lot, min(g.n) AS first
                FROM (
                    SELECT coalesce(p_funder_kinds[i], t.kind) AS kind,
                           CASE WHEN p_funder_kinds[i] IS NULL THEN t.ref ELSE p_funder_refs[i] END AS ref,
                           coalesce(p_expires[i], t.expires) AS expires, t.amount, t.lot, t.n
                    FROM unnest(piece_lots, piece_amounts, piece_kinds, piece_refs, piece_expires)
                        WITH ORDINALITY AS t(lot, amount, kind, ref, expires, n)
                ) g GROUP BY g.kind, g.ref, g.expires ORDER BY first
            LOOP
                INSERT INTO lots (account_id, funder_kind, funder_ref, original, remaining, expires_at,
                                  created_at, origin_id)
                    VALUES (p_dests[i], r.kind, r.ref, r.amount, r.amount, r.expires, p_now,
                            CASE WHEN r.pieces = 1 THEN r.lot END)
                    RETURNING id INTO new_lot;
                posting_accounts := posting_accounts || p_dests[i];
                posting_lots := posting_lots || new_lot;
                posting_amounts := posting_amounts || r.amount;
            END LOOP;
        ELSE
            posting_accounts := posting_accounts || p_dests[i];
            posting_lots := posting_lots || NULL::bigint;
            posting_amounts := posting_amounts || p_amounts[i];
        END IF;
    END LOOP;

    -- the canonical JSON of domain.ledger.rules.entry_digest: sorted keys, no spaces, UTF-8
    body := '{"actor":' || to_json(p_actor)::text
        || ',"at":"' || to_char(p_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00"'
        || ',"key":' || coalesce(to_json(p_key)::text, 'null')
        || ',"kind":' || to_json(p_kind)::text
        || ',"memo":' || to_json(p_memo)::text
        || ',"postings":[' || coalesce((
            SELECT string_agg('[' || p.account || ',' || coalesce(p.lot, 0) || ',' || p.amount || ']', ','
                              ORDER BY p.account, coalesce(p.lot, 0), p.amount)
            FROM unnest(posting_accounts, posting_lots, posting_amounts) AS p(account, lot, amount)), '')
        || ']}';
    digest := encode(sha256(convert_to(body, 'UTF8')), 'hex');
    INSERT INTO journal_entries (kind, actor, idempotency_key, memo, created_at, digest)
        VALUES (p_kind, p_actor, p_key, p_memo, p_now, digest) RETURNING id INTO entry_id;
    INSERT INTO postings (entry_id, account_id, lot_id, amount)
        SELECT entry_id, p.account, p.lot, p.amount
        FROM unnest(posting_accounts, posting_lots, posting_amounts) WITH ORDINALITY AS p(account, lot, amount, n)
        ORDER BY p.n;
END
$$
"""

REDEEM_VOUCHER = r"""
CREATE OR REPLACE FUNCTION mk_redeem_voucher(
    p_voucher bigint, p_shop bigint, p_shard int, p_actor text, p_memo text, p_now timestamptz
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_value bigint;
    v_source bigint;
    v_shop_account bigint;
    v_entry bigint;
BEGIN
    SELECT id INTO v_shop_account FROM accounts WHERE kind = 'SHOP' AND shop_id = p_shop AND shard = p_shard;
    IF v_shop_account IS NULL THEN
        RETURN -1;
    END IF;
    UPDATE vouchers SET status = 'REDEEMED', closed_at = p_now
        WHERE id = p_voucher AND status = 'ISSUED' AND expires_at > p_now
        RETURNING face_value INTO v_value;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    SELECT id INTO STRICT v_source FROM accounts WHERE kind = 'VOUCHER' AND voucher_id = p_voucher;
    SELECT e.entry_id INTO v_entry FROM mk_post_entry(
        'REDEEM', p_actor, NULL, p_memo, p_now, p_now,
        ARRAY[v_source], ARRAY[v_shop_account], ARRAY[v_value],
        ARRAY[true], ARRAY[false], '{}'::bigint[],
        ARRAY[NULL::text], ARRAY[NULL::text], ARRAY[NULL::timestamptz]) e;
    INSERT INTO voucher_redemptions (voucher_id, shop_id, actor, kind, entry_id, created_at)
        VALUES (p_voucher, p_shop, p_actor, 'REDEEM', v_entry, p_now);
    RETURN v_entry;
END
$$
"""

DROP = (
    "DROP FUNCTION IF EXISTS mk_redeem_voucher(bigint, bigint, int, text, text, timestamptz)",
    "DROP FUNCTION IF EXISTS mk_post_entry(text, text, text, text, timestamptz, timestamptz, bigint[],"
    " bigint[], bigint[], boolean[], boolean[], bigint[], text[], text[], timestamptz[])",
)


async def install(apps: StateApps, editor: BaseSchemaEditor) -> None:
    if editor.client.capabilities.dialect == "postgres":
        await editor.client.execute_script(POST_ENTRY)
        await editor.client.execute_script(REDEEM_VOUCHER)


async def remove(apps: StateApps, editor: BaseSchemaEditor) -> None:
    if editor.client.capabilities.dialect == "postgres":
        for statement in DROP:
            await editor.client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("models", "0017_online")]

    initial = False

    operations = [ops.RunPython(install, reverse_code=remove)]
