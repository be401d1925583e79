"""Property-based: random sequences of grants, spends, moves, clock jumps, expiry runs and seals,
checked step by step against a plain Python model, with every ledger invariant verified after each
sequence."""

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import ErrorCode
from domain.ledger.actions import expire_lots
from domain.ledger.checkpoints import seal_all
from domain.ledger.errors import LedgerError
from domain.ledger.journal import Leg
from domain.ledger.verify import verify_ledger
from domain.points import accounts
from domain.sql import reader
from tests.conftest import START, _wipe

RESIDENTS = 3
operations = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(0, RESIDENTS - 1), st.integers(1, 500), st.integers(1, 30)),
        st.tuples(st.just("spend"), st.integers(0, RESIDENTS - 1), st.integers(1, 400)),
        st.tuples(
            st.just("move"), st.integers(0, RESIDENTS - 1), st.integers(0, RESIDENTS - 1), st.integers(1, 300)
        ),
        st.tuples(st.just("advance"), st.integers(1, 20)),
        st.tuples(st.just("expire")),
        st.tuples(st.just("seal")),
    ),
    max_size=20,
)


class Model:
    """Each resident's lots as [expires_at, order, remaining], spent in (expires_at, order)."""

    def __init__(self):
        self.lots = [[] for _ in range(RESIDENTS)]
        self.order = 0

    def add(self, who, amount, expires_at):
        self.order += 1
        self.lots[who].append([expires_at, self.order, amount])

    def take(self, who, amount, now):
        live = sorted((lot for lot in self.lots[who] if lot[0] > now and lot[2] > 0), key=lambda lot: lot[:2])
        if sum(lot[2] for lot in live) < amount:
            return None
        taken = []
        for lot in live:
            part = min(lot[2], amount)
            if part:
                lot[2] -= part
                amount -= part
                taken.append((lot[0], part))
        return taken

    def expire(self, now):
        for lots in self.lots:
            for lot in lots:
                if lot[0] <= now:
                    lot[2] = 0

    def balance(self, who):
        return sum(lot[2] for lot in self.lots[who])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
async def test_random_movements_match_the_model_and_keep_every_invariant(db, books, clock, ops):
    await _wipe(db)
    clock.set(START)
    residents = [await books.account(accounts.resident_program(i, 1)) for i in range(RESIDENTS)]
    shop = await books.account(accounts.shop(1, 0))
    model = Model()
    for op in ops:
        now = clock.now()
        if op[0] == "grant":
            _, who, amount, days = op
            await books.grant(residents[who], amount, days=days)
            model.add(who, amount, now + timedelta(days=days))
        elif op[0] in ("spend", "move"):
            who, amount = op[1], op[-1]
            dest = shop if op[0] == "spend" else residents[op[2]]
            if dest.id == residents[who].id:
                continue
            expected = model.take(who, amount, now)
            try:
                await books.post([Leg(residents[who], dest, amount)])
            except LedgerError as refused:
                assert expected is None
                assert refused.code is ErrorCode.INSUFFICIENT_POINTS
            else:
                assert expected is not None
                if op[0] == "move":
                    for expires_at, part in expected:
                        model.add(op[2], part, expires_at)
        elif op[0] == "advance":
            clock.advance(timedelta(days=op[1]))
        elif op[0] == "expire":
            await expire_lots(clock, batch_size=2)
            model.expire(now)
        else:
            await seal_all(db.key, clock)
        assert [await books.balance(r) for r in residents] == [model.balance(i) for i in range(RESIDENTS)]
    assert [str(b) for b in await verify_ledger(reader(), db.key)] == []
