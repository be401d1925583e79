"""The message catalogues: both languages say the same things, and every refusal has its message."""

import re

import pytest

from domain.errors import ErrorCode
from web.i18n import catalogue

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_error_code_has_a_message(lang):
    messages = catalogue(lang)
    assert [c.value for c in ErrorCode if f"error.{c.value}" not in messages] == []


def test_both_languages_have_the_same_keys_and_placeholders():
    ja, en = catalogue("ja"), catalogue("en")
    assert set(ja) == set(en)
    differing = [
        k for k in ja if set(PLACEHOLDER.findall(str(ja[k]))) != set(PLACEHOLDER.findall(str(en[k])))
    ]
    # 2026年11月21日（土） and 11/21（土） take the month's number, Sat 21 November 2026 its name
    assert differing == ["date", "short_date"]
