"""Files that hold secrets (keys, virtual cards, e-mail with personal data, credentials) are created
readable by their owner alone (0600) from the first byte: never written open and narrowed later."""

import os
from pathlib import Path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` with mode 0600 (an existing file is narrowed to 0600 first)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, data)
    finally:
        os.close(fd)
