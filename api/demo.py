"""``mykey demo seed``: demo data made through the real domain actions, and a credentials file.

Everything is created the way a real deployment would create it (operator → municipalities →
admins → shops, staff, terminals; residents register with virtual cards through the card proof).
Running it again reuses what exists and hands out fresh credentials (tokens, secrets, passwords).
"""

import contextlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from api.settings import Settings
from domain.auth.actor import Actor, Role
from domain.auth.sessions import open_session
from domain.cards.authority import CardAuthority
from domain.cards.proof import CardProof, Purpose, issue_challenge
from domain.cards.revocation import CrlRejected, import_crl
from domain.cards.trust import CardTrust
from domain.cards.virtual import VirtualCard
from domain.clock import Clock, japan_date
from domain.links.actions import add_service, link_service
from domain.municipalities.actions import MunicipalityInput, add_municipality
from domain.municipalities.queries import get_municipality_by_code
from domain.online.items import ItemInput, add_item, list_items
from domain.partners.actions import add_partner, rotate_partner_secret
from domain.points.exchanges import ExchangeInput, exchange_points
from domain.points.grants import GrantRequest, GrantRow, grant_points
from domain.private_files import write_private
from domain.programs.actions import (
    ProgramInput,
    add_department,
    add_premium_campaign,
    add_program,
    set_shop_programs,
)
from domain.programs.queries import ProgramView, list_programs_by_municipality
from domain.programs.rules import ProgramUse
from domain.residents import registration
from domain.residents.actions import login_with_card
from domain.residents.rules import Notifications
from domain.settlement.banks import BankAccount
from domain.shops.actions import add_shop
from domain.shops.places import ShopPlace, set_shop_place
from domain.sql import reader, transaction
from domain.staff.actions import StaffInput, add_staff, ensure_operator
from domain.terminals.actions import TerminalInput, activate_terminal, register_terminal, revoke_terminal
from models.programs import ProgramKind, SupportEventMode
from models.sessions import SubjectKind
from models.staff import StaffRole
from models.terminals import TerminalKind

MUNICIPALITIES = [  # code, name, phone, account holder, the 三井住友 branch they bank with
    ("141305", "川崎市", "044-200-2111", "カワサキシ", "001"),
    ("131164", "豊島区", "03-3981-1111", "トシマク", "005"),
]
DEPARTMENT = "健康福祉局"
REGULAR_USES = (
    ProgramUse.SHOPS,
    ProgramUse.FACILITIES,
    ProgramUse.BUS,
    ProgramUse.TOURISM,
    ProgramUse.DONATION,
)
SHOPS = {
    "141305": [("川崎ブレーメン通り 商店", "SHOP"), ("川崎市 市民ミュージアム", "MUSEUM")],
    "131164": [("池袋 サンシャイン商店", "SHOP"), ("豊島区 郷土資料館", "MUSEUM")],
}
# where the demo shops are (the portal, the map links and the open data show it)
PLACES = {
    "川崎ブレーメン通り 商店": ShopPlace(
        kana="カワサキブレーメンドオリ ショウテン",
        postal_code="211-0063",
        address="神奈川県川崎市中原区小杉町3-1",
        latitude=35.5766,
        longitude=139.6597,
        opening_hours="Mo-Sa 10:00-19:00",
        description="ブレーメン通り商店街のお店。マイナンバーカードでもQR券でも払えます。",
    ),
    "川崎市 市民ミュージアム": ShopPlace(
        kana="カワサキシ シミンミュージアム",
        postal_code="211-0052",
        address="神奈川県川崎市中原区等々力1-2",
        latitude=35.5872,
        longitude=139.6517,
        opening_hours="Tu-Su 09:30-17:00",
        description="入館料をポイントで払えます。",
        scans_vouchers=False,
    ),
    "池袋 サンシャイン商店": ShopPlace(
        kana="イケブクロ サンシャインショウテン",
        postal_code="170-0013",
        address="東京都豊島区東池袋3-1-1",
        latitude=35.7289,
        longitude=139.7193,
        opening_hours="Mo-Su 10:00-20:00",
    ),
    "豊島区 郷土資料館": ShopPlace(
        kana="トシマク キョウドシリョウカン",
        postal_code="171-0021",
        address="東京都豊島区西池袋2-37-4",
        latitude=35.7295,
        longitude=139.7069,
        opening_hours="Tu-Su 09:00-16:30",
        scans_vouchers=False,
    ),
}
PARTNERS = [("マイキーカード (demo credit card)", 1, 1), ("そらエアライン (demo airline miles)", 2, 1)]
SERVICES = [("A1", "川崎市立図書館", "141305"), ("B2", "豊島区立中央図書館", "131164")]
TOKEN_DAYS = 30


@dataclass
class Seeder:
    settings: Settings
    clock: Clock
    state: dict[str, Any]

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def password(self, key: str, length: int = 16) -> str:
        stored: dict[str, str] = self.state.setdefault("passwords", {})
        if key not in stored:
            stored[key] = secrets.token_hex(length // 2)
        return stored[key]

    async def token(self, kind: SubjectKind, subject_id: int) -> str:
        now = self.now
        session = await transaction(
            lambda sql: open_session(sql, kind, subject_id, now, hours=24 * TOKEN_DAYS)
        )
        return session.token

    async def staff(self, operator: Actor, form: StaffInput) -> tuple[int, str]:
        row = await reader().fetchrow("SELECT id FROM staff WHERE login = $1", form.login)
        staff_id = int(row["id"]) if row else (await add_staff(operator, form, self.now)).id
        return staff_id, await self.token(SubjectKind.STAFF, staff_id)


def _authority(settings: Settings, now: datetime) -> CardAuthority:
    if (settings.card_ca_dir / "ca.pem").exists():
        return CardAuthority.open(settings.card_ca_dir)
    return CardAuthority.init(settings.card_ca_dir, now)


async def _programs(
    seed: Seeder, operator: Actor, code: str, name: str, premium: bool, held: bool
) -> list[dict[str, Any]]:
    municipality = await get_municipality_by_code(reader(), code)
    existing = (await list_programs_by_municipality(reader(), [municipality.id]))[municipality.id]
    if not existing:
        today = japan_date(seed.now)
        regular = ProgramInput(code, ProgramKind.REGULAR, f"{name}ポイント", 100, REGULAR_USES)
        event = ProgramInput(  # the donation drive of seed 002: the organiser receives the points
            code,
            ProgramKind.SUPPORT_EVENT,
            f"{name} 花火大会 応援",
            100,
            (ProgramUse.DONATION,),
            starts_on=today,
            ends_on=today + timedelta(days=60),
            organiser=f"{name}花火大会実行委員会",
            purpose="花火大会の開催を応援する",
            mode=SupportEventMode.DONATION,
        )
        if held:  # the field trial's event (seed 003): residents hold its points, spent on one street
            event = ProgramInput(
                code,
                ProgramKind.SUPPORT_EVENT,
                f"【期間限定】{name}実証実験ポイント",
                100,
                (ProgramUse.SHOPS,),
                starts_on=today,
                ends_on=today + timedelta(days=60),
                organiser=name,
                purpose="ブレーメン通り商店街で使える実証実験ポイント",
                mode=SupportEventMode.HELD,
            )
        existing = [await add_program(operator, form, seed.now) for form in (regular, event)]
        if premium:  # the demo's premium campaign: never on the first municipality's regular program
            await add_premium_campaign(
                operator, existing[0].id, 20, seed.now, seed.now + timedelta(days=30), seed.now
            )
    await _items(seed, operator, code, name, existing)
    return [
        {"id": str(p.id), "name": p.name, "kind": p.kind.value} | ({"mode": p.mode.value} if p.mode else {})
        for p in existing
    ]


async def _items(seed: Seeder, operator: Actor, code: str, name: str, programs: list[ProgramView]) -> None:
    """What the municipality sells for points (seed 002: a seat at the yearly fireworks), once."""
    if await list_items(code, on_sale_only=False):
        return
    payers = [p.id for p in programs if p.kind is ProgramKind.REGULAR]
    seats = ItemInput(
        code, f"{name} 花火大会 観覧席", "当日、本部テントで注文番号をお伝えください。", 1_000, 50, payers
    )
    await add_item(operator, seats, seed.now)


async def _municipalities(seed: Seeder, operator: Actor) -> list[dict[str, Any]]:
    out = []
    for index, (code, name, phone, holder, branch) in enumerate(MUNICIPALITIES):
        if await reader().fetchval("SELECT id FROM municipalities WHERE code = $1", code) is None:
            bank = BankAccount("0009", branch, "ORDINARY", f"{1234567 + index:07d}", holder)
            await add_municipality(
                operator,
                MunicipalityInput(code, f"points@{code}.example.jp", phone, bank, f"{9000000000 + index}"),
                seed.now,
            )
            await add_department(operator, code, DEPARTMENT, seed.now)
        pw = seed.password(f"admin-{code}", 20)
        _, admin_token = await seed.staff(
            operator, StaffInput(f"admin-{code}", pw, StaffRole.MUNICIPALITY_ADMIN, municipality_code=code)
        )
        _, staff_token = await seed.staff(
            operator,
            StaffInput(
                f"staff-{code}",
                seed.password(f"staff-{code}", 20),
                StaffRole.MUNICIPALITY_STAFF,
                municipality_code=code,
                department=DEPARTMENT,
            ),
        )
        programs = await _programs(seed, operator, code, name, premium=index == 1, held=index == 0)
        out.append(
            {
                "code": code,
                "name": name,
                "adminToken": admin_token,
                "staffToken": staff_token,
                # the consoles' sign-in (demo only; never in production)
                "adminLogin": f"admin-{code}",
                "adminPassword": pw,
                "staffLogin": f"staff-{code}",
                "staffPassword": seed.password(f"staff-{code}", 20),
                "programs": programs,
            }
        )
    return out


async def _shops(seed: Seeder, operator: Actor, municipalities: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    # a shop takes its municipality's regular program and its held events (the trial's street)
    regular = {
        m["code"]: [p["id"] for p in m["programs"] if p["kind"] == "REGULAR" or p.get("mode") == "HELD"]
        for m in municipalities
    }
    for code, shops in SHOPS.items():
        for index, (name, category) in enumerate(shops, start=1):
            shop_id = await reader().fetchval("SELECT id FROM shops WHERE name = $1", name)
            if shop_id is None:
                shop_id = (await add_shop(operator, code, name, category, seed.now)).id
            await set_shop_place(operator, int(shop_id), PLACES[name], seed.now)
            accepts = await set_shop_programs(
                operator, int(shop_id), [int(p) for p in regular[code]], seed.now
            )
            login = f"shop{index}-{code}"
            _, token = await seed.staff(
                operator,
                StaffInput(login, seed.password(login, 20), StaffRole.SHOP_STAFF, shop_id=int(shop_id)),
            )
            out.append(
                {
                    "id": str(shop_id),
                    "name": name,
                    "municipalityCode": code,
                    "staffToken": token,
                    "staffLogin": login,
                    "staffPassword": seed.password(login, 20),
                    "accepts": [str(p) for p in accepts],
                }
            )
    return out


async def _partners(seed: Seeder, operator: Actor) -> list[dict[str, Any]]:
    out = []
    for index, (name, rate_points, rate_yen) in enumerate(PARTNERS, start=1):
        client_id = await reader().fetchval("SELECT client_id FROM partners WHERE name = $1", name)
        made = (
            (await rotate_partner_secret(operator, str(client_id), seed.now)).credentials
            if client_id
            else await add_partner(operator, name, seed.now, rate_points, rate_yen)
        )
        login = f"partner{index}"
        await seed.staff(
            operator,
            StaffInput(
                login,
                seed.password(login, 20),
                StaffRole.PARTNER_STAFF,
                partner_client_id=made.partner.client_id,
            ),
        )
        out.append(
            {
                "name": name,
                "clientId": made.partner.client_id,
                "clientSecret": made.client_secret,
                "rate": {"partnerPoints": rate_points, "yen": rate_yen},
                "serviceCode": f"PT{made.partner.id}",  # where residents link their customer number
                # the partner console's sign-in (demo only; never in production)
                "consoleLogin": login,
                "consolePassword": seed.password(login, 20),
            }
        )
    return out


async def _terminals(seed: Seeder, operator: Actor, shop_id: int) -> list[dict[str, Any]]:
    kinds = [
        (
            TerminalKind.LOOKUP,
            TerminalInput(TerminalKind.LOOKUP, "図書館カウンター", "141305", service_code="A1"),
        ),
        (TerminalKind.PAY, TerminalInput(TerminalKind.PAY, "商店 レジ", "141305", shop_id=shop_id)),
        (TerminalKind.PRINT, TerminalInput(TerminalKind.PRINT, "観光案内所 プリンター", "141305")),
        (
            TerminalKind.GRANT,
            TerminalInput(TerminalKind.GRANT, "健康福祉局 付与端末", "141305", department="健康福祉局"),
        ),
    ]
    out = []
    for kind, form in kinds:
        previous = await reader().fetch(
            "SELECT id FROM terminals WHERE name = $1 AND status <> 'REVOKED'", form.name
        )
        for row in previous:  # the last run's device: replaced by this run's
            await revoke_terminal(operator, int(row["id"]), seed.now)
        done = await register_terminal(operator, form, seed.now)
        _, token = await activate_terminal(done.activation_code, seed.now, "demo-seed")
        entry: dict[str, Any] = {"kind": kind.value, "token": token, "name": form.name}
        if form.service_code:
            entry["serviceCode"] = form.service_code
        if form.shop_id:
            entry["shopId"] = str(form.shop_id)
        out.append(entry)
    return out


async def _resident(seed: Seeder, trust: CardTrust, card_path: Path, index: int) -> dict[str, Any]:
    card = VirtualCard.load(card_path)
    password = seed.password(f"resident-{index}", 12)
    key = f"resident-{index}"
    known: dict[str, str] = seed.state.setdefault("residents", {})
    if key not in known:
        proof = card.prove((await issue_challenge(seed.now, Purpose.REGISTRATION)).nonce)
        token = await registration.begin_registration(_proof(proof), trust, seed.now)
        candidate = (await registration.generate_my_key_id(token, seed.now)).candidate
        form = registration.RegistrationInput(
            token,
            candidate,
            password,
            password,
            None,
            None,
            Notifications(),
            "141305" if index != 3 else "131164",
        )
        known[key] = (await registration.complete_registration(form, seed.now)).resident.my_key_id
    signed_in = await login_with_card(
        _proof(card.prove((await issue_challenge(seed.now)).nonce)), trust, seed.now
    )
    return {"myKeyId": signed_in.resident.my_key_id, "password": password, "card": str(card_path.resolve())}


async def _points(
    seed: Seeder, operator: Actor, municipalities: list[dict[str, Any]], residents: list[dict[str, Any]]
) -> None:
    """Every resident gets administrative points in their basic municipality; the first also has
    reserved points from a partner exchange, after linking their customer number with the partner
    (idempotency keys make a re-run change nothing)."""
    for index, resident in enumerate(residents, start=1):
        municipality = municipalities[1] if index == 3 else municipalities[0]
        program = next(p for p in municipality["programs"] if p["kind"] == "REGULAR")
        rows = [GrantRow(resident["myKeyId"], 1_000 * index)]
        request = GrantRequest(
            int(program["id"]), "健康ウォークラリー参加", f"demo-grant-{resident['myKeyId']}", rows
        )
        await grant_points(operator, request, seed.now)
    partner_id = await reader().fetchval("SELECT id FROM partners WHERE name = $1", PARTNERS[0][0])
    first = residents[0]["myKeyId"]
    resident_id = await reader().fetchval("SELECT id FROM residents WHERE my_key_id = $1", first)
    customer = f"D-{first}"  # the first resident linked their customer number with the partner (consent)
    await link_service(Actor(Role.RESIDENT, int(resident_id)), f"PT{partner_id}", customer, None, seed.now)
    form = ExchangeInput(None, 3_000, f"demo-order-{first}", f"demo-exchange-{first}", customer)
    partner = Actor(Role.PARTNER, int(partner_id), scopes=frozenset({"exchange"}))
    await exchange_points(partner, form, seed.now)


def _proof(proof: dict[str, str]) -> CardProof:
    return CardProof(**proof)


async def seed_demo(settings: Settings, clock: Clock, out: Path) -> dict[str, Any]:
    now = clock.now()
    state_path = settings.var_dir / "demo" / "state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    seed = Seeder(settings, clock, state)
    authority = _authority(settings, now)
    trust = CardTrust((authority.certificate,))
    settings.crl_source.parent.mkdir(parents=True, exist_ok=True)
    settings.crl_source.write_bytes(authority.crl(now))
    with contextlib.suppress(CrlRejected):  # a CRL this recent is already in
        await import_crl(settings.crl_source.read_bytes(), trust, now)
    operator_staff = await ensure_operator("operator", seed.password("operator", 24), now)
    operator = Actor(Role.OPERATOR, operator_staff.id)
    municipalities = await _municipalities(seed, operator)
    for code, name, city in SERVICES:
        if await reader().fetchval("SELECT id FROM services WHERE code = $1", code) is None:
            await add_service(operator, code, name, now, city)
    shops = await _shops(seed, operator, municipalities)
    cards = settings.var_dir / "demo" / "cards"
    cards.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in ["resident-1", "resident-2", "resident-3", "unregistered-a", "unregistered-b"]:
        path = cards / f"{name}.pem"
        if not path.exists():
            write_private(path, authority.issue_card(now))  # a virtual card holds its private key
        paths.append(path)
    residents = [await _resident(seed, trust, path, i) for i, path in enumerate(paths[:3], start=1)]
    first = residents[0]
    resident_id = await reader().fetchval("SELECT id FROM residents WHERE my_key_id = $1", first["myKeyId"])
    await link_service(Actor(Role.RESIDENT, int(resident_id)), "A1", "789", None, now)  # the seed's example
    partners = await _partners(seed, operator)
    await _points(seed, operator, municipalities, residents)
    credentials = {
        "operator": {
            "token": await seed.token(SubjectKind.STAFF, operator_staff.id),
            "login": "operator",
            "password": seed.password("operator", 24),
        },
        "municipalities": municipalities,
        "shops": shops,
        "partners": partners,
        "services": [{"code": code, "name": name, "municipalityCode": city} for code, name, city in SERVICES],
        "terminals": await _terminals(seed, operator, int(shops[0]["id"])),
        "residents": residents,
        "unregisteredCards": [str(p.resolve()) for p in paths[3:]],
        "cardAuthority": str(settings.card_ca_dir.resolve()),
    }
    state_path.parent.mkdir(parents=True, exist_ok=True)
    write_private(state_path, json.dumps(state, indent=1).encode())
    out.parent.mkdir(parents=True, exist_ok=True)
    write_private(out, json.dumps(credentials, ensure_ascii=False, indent=2).encode())
    return credentials
