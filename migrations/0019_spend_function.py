"""A card payment in one round trip on PostgreSQL (issue 18): ``mk_spend``; nothing on SQLite.

What ``domain.spending.actions`` does once the card proof is verified, in the server: the card's
resident (bound, not suspended); the idempotency claim (``INSERT … ON CONFLICT DO NOTHING`` under the UNIQUE (actor, key) index); the resident's
accounts in the programs the shop accepts, locked in primary-key order; the plan — earliest expiry
first across those accounts, lots in (expires_at, created_at, id) order; the entry through
``mk_post_entry`` (migration 0018) moving each account's share into one of the shop's shard
accounts; the points left; the stored answer. Outcomes:

* ``PAID``: ``answer`` is the receipt's JSON (what a replay returns);
* ``REPLAY``: the key was claimed before; ``answer`` and ``stored_hash`` are what it stored (the
  caller compares the request's hash: the same request gets the answer, another a conflict);
* ``NO_SHOP_ACCOUNT``: the shard's account is not open yet; nothing was written (the caller opens
  it and asks again).

``resident`` is the card's resident. Refusals raise, so the whole statement — the claim included —
rolls back: SQLSTATE ``MKP04`` when the card is bound to no MyKey ID (or was replaced), ``MKP05``
when its MyKey ID is suspended, ``MKP02`` when the shop accepts none of the resident's programs,
``MKP03`` when the points usable here fall short (DETAIL: how many there are).
"""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.migrations.schema_editor.base import BaseSchemaEditor
from tortoise.migrations.schema_generator.state_apps import StateApps

SPEND = r"""
CREATE OR REPLACE FUNCTION mk_spend(
    p_actor text, p_key text, p_request_hash text, p_card text, p_shop bigint, p_shard int,
    p_amount bigint, p_fee bigint, p_kind text, p_memo_tail text, p_now timestamptz, p_at text,
    OUT outcome text, OUT answer text, OUT stored_hash text, OUT resident bigint
) LANGUAGE plpgsql AS $$
DECLARE
    v_unbound timestamptz;
    v_status text;
    v_shop_account bigint;
    v_shop_lots boolean;
    v_claim bigint;
    v_sources bigint[];
    v_tracks boolean[];
    v_plan bigint[];
    v_legs int;
    v_leg_sources bigint[];
    v_leg_amounts bigint[];
    v_leg_tracks boolean[];
    v_negative bigint[];
    v_name text;
    v_entry bigint;
    v_left bigint;
    lot record;
    left_over bigint;
    took bigint;
    i int;
BEGIN
    SELECT c.unbound_at, r.id, r.status INTO v_unbound, resident, v_status
        FROM cards c JOIN residents r ON r.id = c.resident_id WHERE c.fingerprint = p_card;
    IF NOT FOUND OR v_unbound IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'MKP04', MESSAGE = 'this card has no MyKey ID here';
    END IF;
    IF v_status <> 'ACTIVE' THEN
        RAISE EXCEPTION USING ERRCODE = 'MKP05', MESSAGE = 'this MyKey ID is suspended';
    END IF;
    SELECT id, tracks_lots INTO v_shop_account, v_shop_lots FROM accounts
        WHERE kind = 'SHOP' AND shop_id = p_shop AND shard = p_shard;
    IF NOT FOUND THEN
        outcome := 'NO_SHOP_ACCOUNT';
        RETURN;
    END IF;
    INSERT INTO idempotency_records (actor, key, request_hash, response, created_at)
        VALUES (p_actor, p_key, p_request_hash, '', p_now)
        ON CONFLICT (actor, key) DO NOTHING RETURNING id INTO v_claim;
    IF v_claim IS NULL THEN
        SELECT r.request_hash, r.response INTO stored_hash, answer FROM idempotency_records r
            WHERE r.actor = p_actor AND r.key = p_key;
        outcome := 'REPLAY';
        RETURN;
    END IF;

    SELECT array_agg(a.id ORDER BY a.id), array_agg(a.tracks_lots ORDER BY a.id)
        INTO v_sources, v_tracks
        FROM shop_programs sp JOIN accounts a
            ON a.kind = 'RESIDENT_PROGRAM' AND a.resident_id = resident AND a.program_id = sp.program_id
        WHERE sp.shop_id = p_shop;
    IF v_sources IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'MKP02', MESSAGE = 'none of the points are accepted here';
    END IF;
    PERFORM 1 FROM accounts WHERE id = ANY (v_sources) ORDER BY id FOR UPDATE;

    v_plan := array_fill(0::bigint, ARRAY[array_length(v_sources, 1)]);
    left_over := p_amount;
    FOR lot IN
        SELECT l.account_id, l.remaining FROM lots l
        WHERE l.account_id = ANY (v_sources) AND l.remaining > 0 AND l.expires_at > p_now
        ORDER BY l.expires_at, l.created_at, l.id
    LOOP
        took := least(left_over, lot.remaining);
        i := array_position(v_sources, lot.account_id);
        v_plan[i] := v_plan[i] + took;
        left_over := left_over - took;
        EXIT WHEN left_over = 0;
    END LOOP;
    IF left_over > 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'MKP03', MESSAGE = 'insufficient points',
            DETAIL = (p_amount - left_over)::text;
    END IF;

    SELECT array_agg(s.account ORDER BY s.account), array_agg(s.amount ORDER BY s.account),
           array_agg(s.tracks ORDER BY s.account)
        INTO v_leg_sources, v_leg_amounts, v_leg_tracks
        FROM unnest(v_sources, v_plan, v_tracks) AS s(account, amount, tracks) WHERE s.amount > 0;
    v_legs := array_length(v_leg_sources, 1);
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO v_negative FROM accounts
        WHERE id = ANY (v_leg_sources || v_shop_account) AND negative_allowed;
    SELECT name INTO STRICT v_name FROM shops WHERE id = p_shop;
    SELECT e.entry_id INTO v_entry FROM mk_post_entry(
        p_kind, p_actor, p_key, v_name || ' で' || p_memo_tail, p_now, p_now,
        v_leg_sources, array_fill(v_shop_account, ARRAY[v_legs]), v_leg_amounts,
        v_leg_tracks, array_fill(v_shop_lots, ARRAY[v_legs]), v_negative,
        array_fill(NULL::text, ARRAY[v_legs]), array_fill(NULL::text, ARRAY[v_legs]),
        array_fill(NULL::timestamptz, ARRAY[v_legs])) e;
    SELECT coalesce(sum(balance), 0) INTO v_left FROM accounts WHERE id = ANY (v_sources);

    answer := jsonb_build_object(
        'id', v_entry, 'amount', p_amount, 'fee', p_fee, 'credited', p_amount - p_fee, 'shop', v_name,
        'balance_after', v_left, 'at', p_at)::text;
    UPDATE idempotency_records SET response = answer WHERE id = v_claim;
    outcome := 'PAID';
END
$$
"""

DROP = (
    "DROP FUNCTION IF EXISTS mk_spend(text, text, text, bigint, bigint, int, bigint, bigint, text, text,"
    " timestamptz, text)"
)


async def install(apps: StateApps, editor: BaseSchemaEditor) -> None:
    if editor.client.capabilities.dialect == "postgres":
        await editor.client.execute_script(SPEND)


async def remove(apps: StateApps, editor: BaseSchemaEditor) -> None:
    if editor.client.capabilities.dialect == "postgres":
        await editor.client.execute_script(DROP)


class Migration(migrations.Migration):
    dependencies = [("models", "0018_ledger_functions")]

    initial = False

    operations = [ops.RunPython(install, reverse_code=remove)]
