"""Search that reads Japanese the way people type it.

A shop is found by its name, its reading (名称_カナ), its address or its municipality, typed in
hiragana, full- or half-width katakana, kanji or latin letters: both the stored key and the query
are *folded* the same way (NFKC turns half-width kana and full-width latin into their usual forms,
jaconv turns katakana into hiragana, case and spaces go), and each word of the query must appear
in the key. The key is written with the shop, so a search is one scan with a LIKE per word over a
short column: about 10 ms for a page and its count over 10,000 shops on PostgreSQL (bench/portal.py).
"""

import re
import unicodedata

import jaconv

SPACES = re.compile(r"\s+")
MAX_WORDS = 5
MAX_QUERY = 100


def fold(text: str) -> str:
    """The searchable form of ``text``: ｶﾜｻｷ, カワサキ and かわさき all become かわさき."""
    folded = text
    # casefold and removing spaces can leave a letter to compose again (ō → o + U+0304; O¯): fold
    # until nothing changes, so that a folded key folds to itself
    for _ in range(4):
        normal = jaconv.kata2hira(unicodedata.normalize("NFKC", folded)).casefold()
        again = unicodedata.normalize("NFKC", SPACES.sub("", normal))
        if again == folded:
            break
        folded = again
    return folded


def search_key(*parts: str) -> str:
    """What a shop is found by: each part folded, one per line (a word never spans two parts)."""
    return "\n".join(fold(p) for p in parts if p.strip())


def like_patterns(query: str) -> list[str]:
    """The query's words as LIKE patterns (wildcards in them escaped with ``\\``), at most five."""
    words = [fold(w) for w in SPACES.split(query[:MAX_QUERY].strip()) if w]
    escaped = [w.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in words if w]
    return [f"%{w}%" for w in escaped[:MAX_WORDS]]


def katakana(text: str) -> str:
    """A reading as the standard data sets want it (名称_カナ: full-width katakana)."""
    return jaconv.hira2kata(unicodedata.normalize("NFKC", text)).strip()
