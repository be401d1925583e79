"""The benches end with ``mykey ledger verify``: what they wrote at speed must be sound books."""

import time

from api.settings import Settings
from domain.ledger.signing import LedgerKey
from domain.ledger.verify import verify_ledger
from domain.sql import reader


async def verify_after(settings: Settings) -> None:
    """Every invariant and every digest of the bench's database; raises naming each breach."""
    started = time.perf_counter()
    breaches = await verify_ledger(reader(), LedgerKey.load_or_create(settings.ledger_key_path))
    elapsed = time.perf_counter() - started
    print(f"  mykey ledger verify after the bench: {len(breaches)} breaches ({elapsed:.1f} s)")
    if breaches:
        raise AssertionError("\n".join(str(b) for b in breaches))
