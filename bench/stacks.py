"""Summarise py-spy's collapsed stacks (``--format raw``): the share of samples in which each
function is on the stack (inclusive) and at the top (self), most first.

    python -m bench.stacks FILE [N]
"""

import sys
from collections import Counter
from pathlib import Path


def _short(frame: str) -> str:
    """``function (path/file.py:12)`` → ``function (file.py)``: lines differ, functions add up."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.split(':')[0].split('/')[-1]})"


def main(path: str, top: int = 40) -> None:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [_short(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    print(f"{total} samples")
    print("inclusive:")
    for frame, n in inclusive.most_common(top):
        print(f"  {n / total:6.1%}  {frame}")
    print("self:")
    for frame, n in own.most_common(top):
        print(f"  {n / total:6.1%}  {frame}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 40)
