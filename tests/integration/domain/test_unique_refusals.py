"""A duplicate refused by a unique index is answered with the refusal that names it (a login taken,
a name in use, a MyKey ID just taken) — and only when that table's index said no (``broke_unique``);
the money paths' own cases are in the voucher and exchange tests."""

from datetime import date, timedelta

import pytest

from domain.clock import japan_date
from domain.errors import DomainError, ErrorCode
from domain.links.actions import add_service
from domain.partners.actions import add_partner
from domain.programs.actions import ProgramInput, update_program
from domain.programs.rules import ProgramUse
from domain.residents import registration
from domain.sql import reader
from models.programs import ProgramKind
from models.staff import StaffRole
from tests.integration.graphql.identity.test_registration import BEGIN, CHECK
from tests.integration.identity.people import COMPLETE, PASSWORD


def _refusal(refused: pytest.ExceptionInfo[DomainError]) -> tuple[ErrorCode, str | None]:
    return refused.value.code, refused.value.field


async def test_a_staff_login_taken(people):
    await people.municipality()
    await people.staff(StaffRole.MUNICIPALITY_ADMIN, login="kawasaki-admin")
    with pytest.raises(DomainError) as refused:
        await people.staff(StaffRole.MUNICIPALITY_STAFF, login="kawasaki-admin")
    assert _refusal(refused) == (ErrorCode.INVALID_INPUT, "login")
    assert await reader().fetchval("SELECT COUNT(*) FROM staff WHERE login = 'kawasaki-admin'") == 1


async def test_a_partner_name_and_a_service_code_in_use(people, clock):
    await people.municipality()
    await add_partner(people.operator_actor, "ANA マイレージクラブ", clock.now())
    with pytest.raises(DomainError) as refused:
        await add_partner(people.operator_actor, "ANA マイレージクラブ", clock.now())
    assert _refusal(refused) == (ErrorCode.INVALID_INPUT, "name")
    await add_service(people.operator_actor, "LIB1", "図書館", clock.now(), "141305")
    with pytest.raises(DomainError) as refused:
        await add_service(people.operator_actor, "LIB1", "美術館", clock.now(), "141305")
    assert _refusal(refused) == (ErrorCode.INVALID_INPUT, "code")
    assert await reader().fetchval("SELECT COUNT(*) FROM partners") == 1


async def test_a_program_renamed_to_a_name_in_use(people, clock):
    await people.municipality()
    regular = await people.program(name="川崎市ポイント")
    await people.program(name="健康ウォーク", kind=ProgramKind.SUPPORT_EVENT, **_event_days(clock))
    form = ProgramInput("141305", ProgramKind.REGULAR, "健康ウォーク", 100, (ProgramUse.SHOPS,))
    with pytest.raises(DomainError) as refused:
        await update_program(people.operator_actor, regular.id, form, clock.now())
    assert _refusal(refused) == (ErrorCode.INVALID_INPUT, "name")
    assert await reader().fetchval("SELECT name FROM programs WHERE id = $1", regular.id) == "川崎市ポイント"


def _event_days(clock) -> dict[str, date | str]:
    today = japan_date(clock.now())
    return {
        "starts_on": today,
        "ends_on": today + timedelta(days=30),
        "organiser": "川崎市健康福祉局",
        "purpose": "歩いて健康に",
    }


async def test_a_registration_that_loses_the_race_for_its_id(people, monkeypatch):
    await people.municipality()
    first, second = await _begin(people), await _begin(people)
    for token in (first, second):  # both offered the same ID, neither registered yet
        checked = await people.gql(CHECK, t=token, c="KAWA2026")
        assert checked["checkMyKeyId"]["available"], checked
    assert (await people.gql(COMPLETE, input=_form(first)))["completeRegistration"]["userErrors"] == []

    async def not_taken_yet(sql, my_key_id):  # as if the first committed just after this check
        return False

    monkeypatch.setattr(registration, "my_key_id_taken", not_taken_yet)
    lost = (await people.gql(COMPLETE, input=_form(second)))["completeRegistration"]
    assert [(e["code"], e["field"]) for e in lost["userErrors"]] == [("MYKEY_ID_TAKEN", "myKeyId")]
    assert await reader().fetchval("SELECT COUNT(*) FROM residents") == 1


async def _begin(people) -> str:
    data = await people.gql(BEGIN, p=await people.proof(people.card(), "REGISTRATION"))
    return str(data["beginRegistration"]["registrationToken"])


def _form(token: str) -> dict[str, str]:
    return {
        "registrationToken": token,
        "myKeyId": "KAWA2026",
        "password": PASSWORD,
        "passwordConfirmation": PASSWORD,
        "basicMunicipalityCode": "141305",
    }
