"""Folding Japanese for search, and checking a shop's place, without a database."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.shops.places import ShopPlace, check_place, opening_parts
from domain.shops.search import fold, katakana, like_patterns, search_key


@pytest.mark.parametrize("typed", ["かわさき", "カワサキ", "ｶﾜｻｷ", " カワ サキ ", "かわサキ"])
def test_every_kana_folds_to_the_same_key(typed):
    assert fold(typed) == "かわさき"


def test_voiced_half_width_kana_and_full_width_latin_fold_like_their_usual_forms():
    assert fold("ﾌﾞﾚｰﾒﾝ") == fold("ブレーメン") == "ぶれーめん"
    assert fold("ＣＡＦＥ　Ｍｏｔｏｓｕｍｉ") == "cafemotosumi"
    assert search_key("ブレーメン通り 商店", "", "川崎市") == "ぶれーめん通り商店\n川崎市"


def test_a_query_is_its_words_with_like_wildcards_escaped():
    assert like_patterns("ｶﾜｻｷ  ブレーメン") == ["%かわさき%", "%ぶれーめん%"]
    assert like_patterns("100%_off\\") == ["%100\\%\\_off\\\\%"]
    assert like_patterns("a b c d e f g") == ["%a%", "%b%", "%c%", "%d%", "%e%"]  # five words at most
    assert like_patterns("   ") == []


@given(st.text(max_size=40))
def test_folding_is_stable(text):
    assert fold(fold(text)) == fold(text)
    for pattern in like_patterns(text):
        assert pattern.startswith("%") and pattern.endswith("%")


def test_a_place_is_stored_in_its_standard_form():
    place = check_place(
        ShopPlace(
            kana="かわさき しょうてん",
            postal_code="〒２１１－００６３",
            latitude=35.57661234,
            longitude=139.6597,
        )
    )
    assert place.kana == katakana("かわさき しょうてん") == "カワサキ ショウテン"
    assert place.postal_code == "211-0063"
    assert place.latitude == 35.576612


@pytest.mark.parametrize(
    ("place", "field"),
    [
        (ShopPlace(latitude=math.nan, longitude=139.0), "latitude"),
        (ShopPlace(latitude=35.0, longitude=math.inf), "longitude"),
        (ShopPlace(longitude=139.0), "latitude"),
        (ShopPlace(url="javascript:alert(1)"), "url"),
        (ShopPlace(url="https://"), "url"),
        (ShopPlace(kana="川崎"), "kana"),
        (ShopPlace(phone="0120-XXX-XXX"), "phone"),
        (ShopPlace(address="あ" * 201), "address"),
        (ShopPlace(opening_hours="x" * 201), "openingHours"),
    ],
)
def test_a_bad_place_names_its_field(place, field):
    with pytest.raises(DomainError) as refused:
        check_place(place)
    assert refused.value.field == field and refused.value.code.value == "INVALID_INPUT"


def test_opening_hours_in_schema_org_form_are_read():
    assert opening_parts("Mo-Fr,Su 09:00-17:30") == ("Mo-Fr,Su", "09:00", "17:30")
    assert opening_parts("平日 9時から") is None
