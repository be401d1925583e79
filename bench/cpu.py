"""CPU used by PostgreSQL's processes on this machine, read from /proc (bench helpers)."""

import os
from pathlib import Path


def postgres_cpu_ms() -> dict[int, float]:
    """CPU used so far by each PostgreSQL process on this machine (backends, WAL writer…), by pid."""
    used = {}
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 :].startswith("postgres"):
            fields = text[text.rindex(")") + 2 :].split()
            used[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) * tick_ms
    return used


def postgres_cpu_since(before: dict[int, float]) -> tuple[float, float]:
    """PostgreSQL's CPU (ms) since ``before``: all its processes together, and the busiest one alone
    (a transaction's own backend: its work is serial, so its CPU is a floor under the wall time)."""
    spent = [now - before.get(pid, 0.0) for pid, now in postgres_cpu_ms().items()]
    return sum(spent), max(spent, default=0.0)
