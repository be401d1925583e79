"""Message catalogues (web/messages/<lang>.json): Japanese by default, English one tap away.

Every word a page shows comes from a catalogue; code only names keys. The language is the ``lang``
query parameter, else the ``lang`` cookie, else Japanese. Numbers get thousands separators and
「pt」; dates are shown as 2026年11月21日（土） (or Sat 21 Nov 2026), always in Japan time.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from starlette.requests import Request

from domain.clock import JST
from domain.errors import DomainError

LANGUAGES = ("ja", "en")
MESSAGES = Path(__file__).with_name("messages")


@cache
def catalogue(lang: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((MESSAGES / f"{lang}.json").read_text(encoding="utf-8"))
    return loaded


def language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang") or "ja"
    return asked if asked in LANGUAGES else "ja"


def refusal_key(error: DomainError) -> str:
    """The most precise catalogue key for a refusal: its rule (``error.<CODE>.<reason>``), else its
    field (``error.<CODE>.<field>``, the last part of a nested one), else its code. Both catalogues
    hold the same keys (a test checks), so the key is good in either language."""
    names = catalogue("ja")
    code = error.code.value
    field = (error.field or "").rsplit(".", 1)[-1]
    for key in (f"error.{code}.{error.reason}", f"error.{code}.{field}"):
        if key in names:
            return key
    return f"error.{code}"


@dataclass(frozen=True)
class Text:
    lang: str

    def __call__(self, key: str, **values: object) -> str:
        return str(catalogue(self.lang)[key]).format(**values)

    def error(self, error: DomainError) -> str:
        """A refusal in the page's language, as precise as the catalogue allows: the failed rule
        (``error.<CODE>.<reason>``), else the field (``error.<CODE>.<field>``), else the code. The
        domain's own words are English; its figures (``details``) are shown in local form."""
        message = str(catalogue(self.lang)[refusal_key(error)])
        return message.format_map(Blank(self._local(error.details)))

    def _local(self, details: dict[str, str]) -> dict[str, str]:
        shown = dict(details)
        for name, value in details.items():
            if name == "at":
                moment = datetime.fromisoformat(value)
                shown[name] = f"{self.day(moment)} {moment.astimezone(JST):%H:%M}"
            elif name in ("available", "needed") and value.isdigit():
                shown[name] = self.points(int(value))
        return shown

    def errors(self) -> dict[str, str]:
        """Every refusal's message, by code (pages' scripts show these instead of the API's English)."""
        return {
            k.removeprefix("error."): str(v)
            for k, v in catalogue(self.lang).items()
            if k.startswith("error.")
        }

    def raw(self, key: str) -> str:
        """The message with its {placeholders} left in (for scripts that fill them in)."""
        return str(catalogue(self.lang)[key])

    def points(self, n: int) -> str:
        return self("points", n=f"{n:,}")

    def day(self, when: date | datetime) -> str:
        day = when.astimezone(JST).date() if isinstance(when, datetime) else when
        names = catalogue(self.lang)
        return self(
            "date",
            y=day.year,
            m=day.month,
            d=day.day,
            w=names["weekdays"][day.weekday()],
            month=names["months"][day.month - 1],
        )

    def short_day(self, when: datetime) -> str:
        """11/21（土）: for lists, where the year goes without saying."""
        day = when.astimezone(JST).date()
        names = catalogue(self.lang)
        weekday, month = names["weekdays"][day.weekday()], names["months"][day.month - 1]
        return self("short_date", m=day.month, d=day.day, w=weekday, month=month)

    @property
    def other(self) -> str:
        return "en" if self.lang == "ja" else "ja"


class Blank(dict[str, str]):
    """A missing figure reads as nothing rather than failing the page."""

    def __missing__(self, key: str) -> str:
        return ""
