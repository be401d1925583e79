"""CPU used by PostgreSQL's processes on this machine, read from /proc (bench helpers)."""

import os
import resource
from pathlib import Path


def postgres_cpu_ms() -> dict[int, float]:
    """CPU used so far by each PostgreSQL process on this machine (backends, WAL writer…), by pid;
    and, under the postmaster's pid negated, what its children that have exited used (a pgbench
    client's backends are gone when it ends: the kernel adds their CPU to the postmaster's)."""
    used = {}
    parents = {}
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if text[text.index("(") + 1 :].startswith("postgres"):
            fields = text[text.rindex(")") + 2 :].split()
            pid = int(stat.parent.name)
            used[pid] = (int(fields[11]) + int(fields[12])) * tick_ms
            parents[pid] = (int(fields[1]), (int(fields[13]) + int(fields[14])) * tick_ms)
    for pid, (parent, exited_children) in parents.items():
        if parent not in used:  # the postmaster
            used[-pid] = exited_children
    return used


def postgres_cpu_since(before: dict[int, float]) -> tuple[float, float]:
    """PostgreSQL's CPU (ms) since ``before``: all its processes together (those that exited
    meanwhile included), and the busiest one still running alone (a transaction's own backend: its
    work is serial, so its CPU is a floor under the wall time)."""
    now = postgres_cpu_ms()
    # a process that exited meanwhile: what it had used before is in ``before`` and, whole, in its
    # parent's count of exited children now
    total = sum(now.values()) - sum(before.values())
    return total, max((ms - before.get(pid, 0.0) for pid, ms in now.items() if pid > 0), default=0.0)


def children_cpu_ms() -> float:
    """CPU used so far by this process's children that have exited and been waited for (wrk,
    pgbench)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (used.ru_utime + used.ru_stime) * 1000
