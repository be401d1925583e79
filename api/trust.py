"""The trusted card CAs, read from ``MYKEY_TRUSTED_CA`` and re-read when the file changes."""

from pathlib import Path

from domain.cards.trust import CardTrust


class TrustSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._trust = CardTrust(())

    def current(self) -> CardTrust:
        try:
            stamp = self.path.stat().st_mtime
        except FileNotFoundError:
            return CardTrust(())
        if stamp != self._stamp:
            self._trust = CardTrust.from_file(self.path)
            self._stamp = stamp
        return self._trust
