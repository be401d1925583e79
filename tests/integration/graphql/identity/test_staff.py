"""Staff accounts: who may create whom, and staff sign-in."""

import pytest

from models.staff import StaffRole
from tests.integration.identity.people import STAFF_PASSWORD

ADD = (
    "mutation($i: AddStaffInput!) { addStaff(input: $i) "
    "{ staff { login role department } userErrors { code field } } }"
)
LOGIN = (
    "mutation($l: String!, $p: String!) { loginStaff(login: $l, password: $p)"
    " { token staff { role } userErrors { code } } }"
)
VIEWER = "{ viewer { role municipalityCode shopId cardSession } }"


def _staff(login, role, **extra):
    return {"login": login, "password": STAFF_PASSWORD, "role": role, **extra}


async def test_an_admin_creates_staff_of_their_own_municipality_only(people):
    await people.municipality()
    await people.municipality("131164", "豊島区")
    admin = await people.staff(StaffRole.MUNICIPALITY_ADMIN)
    own = await people.gql(
        ADD,
        admin,
        i=_staff("kenko", "MUNICIPALITY_STAFF", municipalityCode="141305", department="健康福祉局"),
    )
    assert own["addStaff"] == {
        "staff": {"login": "kenko", "role": "MUNICIPALITY_STAFF", "department": "健康福祉局"},
        "userErrors": [],
    }
    other = await people.gql(
        ADD, admin, i=_staff("other", "MUNICIPALITY_STAFF", municipalityCode="131164", department="x")
    )
    assert other["addStaff"]["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    operator = await people.gql(ADD, admin, i=_staff("boss", "OPERATOR"))
    assert operator["addStaff"]["userErrors"] == [{"code": "FORBIDDEN", "field": None}]
    foreign_shop = await people.shop("131164")
    shop_staff = await people.gql(ADD, admin, i=_staff("clerk", "SHOP_STAFF", shopId=str(foreign_shop)))
    assert shop_staff["addStaff"]["userErrors"] == [{"code": "FORBIDDEN", "field": None}]


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (_staff("Bad Login", "MUNICIPALITY_ADMIN", municipalityCode="141305"), "login"),
        (
            {**_staff("short", "MUNICIPALITY_ADMIN", municipalityCode="141305"), "password": "short"},
            "password",
        ),
        (_staff("nodept", "MUNICIPALITY_STAFF", municipalityCode="141305"), "department"),
        (_staff("noshop", "SHOP_STAFF"), "shopId"),
        (_staff("nomuni", "MUNICIPALITY_ADMIN"), "municipalityCode"),
        (_staff("badcode", "MUNICIPALITY_ADMIN", municipalityCode="141300"), "municipalityCode"),
    ],
)
async def test_bad_staff_forms_are_refused(people, form, field):
    token = await people.operator()
    await people.municipality()
    answer = (await people.gql(ADD, token, i=form))["addStaff"]
    assert answer["userErrors"][0]["field"] == field
    assert answer["staff"] is None


async def test_staff_sign_in_and_viewer(people):
    await people.municipality()
    shop = await people.shop()
    await people.staff(StaffRole.SHOP_STAFF, shop_id=shop, login="clerk")
    signed_in = (await people.gql(LOGIN, l="clerk", p=STAFF_PASSWORD))["loginStaff"]
    assert signed_in["staff"] == {"role": "SHOP_STAFF"}
    viewer = (await people.gql(VIEWER, signed_in["token"]))["viewer"]
    assert viewer == {
        "role": "SHOP_STAFF",
        "municipalityCode": "141305",
        "shopId": str(shop),
        "cardSession": False,
    }
    wrong = (await people.gql(LOGIN, l="clerk", p="not the password"))["loginStaff"]
    assert wrong["userErrors"] == [{"code": "UNAUTHENTICATED"}]
    assert (await people.gql(VIEWER))["viewer"] is None
