"""Test helpers: the platform's people, made through the real API and domain actions."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from domain.auth.actor import Actor, Role
from domain.auth.sessions import actor_for_session, open_session
from domain.cards.authority import CardAuthority
from domain.cards.revocation import import_crl
from domain.cards.trust import CardTrust
from domain.cards.virtual import VirtualCard
from domain.clock import ManualClock
from domain.links.actions import add_service
from domain.municipalities.actions import MunicipalityInput, add_municipality
from domain.programs.actions import ProgramInput, add_department, add_program, set_shop_programs
from domain.programs.queries import ProgramView
from domain.programs.rules import ProgramUse
from domain.settlement.banks import BankAccount
from domain.shops.actions import add_shop
from domain.sql import reader, transaction
from domain.staff.actions import StaffInput, add_staff, ensure_operator
from models.programs import ProgramKind
from models.sessions import SubjectKind
from models.staff import StaffRole

PASSWORD = "abc123XYZ"
STAFF_PASSWORD = "a long staff password"
CHALLENGE = (
    "mutation($purpose: CardChallengePurpose!) { cardChallenge(purpose: $purpose)"
    " { nonce expiresAt userErrors { code message } } }"
)


@dataclass
class Registered:
    my_key_id: str
    password: str
    card: VirtualCard
    token: str


class People:
    def __init__(self, api: httpx.AsyncClient, clock: ManualClock, ca_dir: Path) -> None:
        self.api = api
        self.clock = clock
        self.authority = CardAuthority.open(ca_dir)
        self.ca_dir = ca_dir
        self.operator_actor: Actor | None = None

    async def post_gql(self, query: str, token: str | None = None, **variables: Any) -> httpx.Response:
        """The answer as it came, errors and all (``gql`` insists there are none)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return await self.api.post("/graphql", json={"query": query, "variables": variables}, headers=headers)

    async def gql(self, query: str, token: str | None = None, **variables: Any) -> dict[str, Any]:
        response = await self.post_gql(query, token, **variables)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    def card(self, years: int = 5, not_before: Any = None) -> VirtualCard:
        return VirtualCard.from_pem(
            self.authority.issue_card(self.clock.now(), years=years, not_before=not_before)
        )

    async def proof(
        self, card: VirtualCard, purpose: str = "SIGN_IN", terminal: str | None = None
    ) -> dict[str, str]:
        """The card's answer to a challenge for ``purpose``, or for ``terminal`` (its token) when given."""
        nonce = (await self.gql(CHALLENGE, terminal, purpose=purpose))["cardChallenge"]["nonce"]
        return card.prove(nonce)

    async def operator(self) -> str:
        staff = await ensure_operator("operator", STAFF_PASSWORD, self.clock.now())
        self.operator_actor = Actor(Role.OPERATOR, staff.id)
        return await self.session(SubjectKind.STAFF, staff.id)

    async def session(self, kind: SubjectKind, subject_id: int) -> str:
        now = self.clock.now()
        return (await transaction(lambda sql: open_session(sql, kind, subject_id, now, hours=24 * 400))).token

    async def municipality(self, code: str = "141305", name: str = "") -> None:
        """A participating municipality (its name comes from the JIS X 0402 list) with one department."""
        if self.operator_actor is None:
            await self.operator()
        holder = {"141305": "ｶﾜｻｷｼ", "011002": "ｻﾂﾎﾟﾛｼ"}.get(code, "ｼﾞﾁﾀｲ")
        bank = BankAccount("0001", "001", "ORDINARY", "1234567", holder)
        form = MunicipalityInput(code, f"points@{code}.example.jp", "044-200-2111", bank, "0000012345")
        await add_municipality(self.operator_actor, form, self.clock.now())
        await add_department(self.operator_actor, code, "健康福祉局", self.clock.now())

    async def staff(
        self,
        role: StaffRole,
        code: str = "141305",
        shop_id: int | None = None,
        login: str = "",
        department: str = "健康福祉局",
        partner_client_id: str | None = None,
    ) -> str:
        assert self.operator_actor is not None
        form = StaffInput(
            login or f"{role.lower()}-{code}-{shop_id or 0}",
            STAFF_PASSWORD,
            role,
            municipality_code=None if role in {StaffRole.SHOP_STAFF, StaffRole.PARTNER_STAFF} else code,
            shop_id=shop_id,
            department=department if role is StaffRole.MUNICIPALITY_STAFF else None,
            partner_client_id=partner_client_id,
        )
        staff = await add_staff(self.operator_actor, form, self.clock.now())
        return await self.session(SubjectKind.STAFF, staff.id)

    async def shop(self, code: str = "141305", name: str = "商店") -> int:
        return (await add_shop(self.operator_actor, code, name, "SHOP", self.clock.now())).id

    async def service(
        self, code: str = "A1", name: str = "図書館", municipality: str | None = "141305"
    ) -> None:
        await add_service(self.operator_actor, code, name, self.clock.now(), municipality)

    async def register(
        self, card: VirtualCard | None = None, municipality: str | None = "141305"
    ) -> Registered:
        card = card or self.card()
        begun = await self.gql(
            "mutation($p: CardProofInput!) { beginRegistration(proof: $p) { registrationToken userErrors"
            " { code } } }",
            p=await self.proof(card, "REGISTRATION"),
        )
        token = begun["beginRegistration"]["registrationToken"]
        assert token, begun
        generated = await self.gql(
            "mutation($t: String!) { generateMyKeyId(registrationToken: $t) { candidate } }", t=token
        )
        my_key_id = generated["generateMyKeyId"]["candidate"]
        done = await self.gql(
            COMPLETE,
            input={
                "registrationToken": token,
                "myKeyId": my_key_id,
                "password": PASSWORD,
                "passwordConfirmation": PASSWORD,
                "basicMunicipalityCode": municipality,
            },
        )
        payload = done["completeRegistration"]
        assert payload["userErrors"] == [], payload
        return Registered(my_key_id, PASSWORD, card, payload["token"])

    async def login(self, resident: Registered) -> str:
        """A fresh card session (sessions last hours; tests that jump days sign in again)."""
        data = await self.gql(
            "mutation($p: CardProofInput!) { loginWithCard(proof: $p) { token } }",
            p=await self.proof(resident.card),
        )
        resident.token = data["loginWithCard"]["token"]
        return resident.token

    async def terminal(self, kind: str, admin: str, **extra: Any) -> str:
        registered = await self.gql(
            "mutation($i: RegisterTerminalInput!) { registerTerminal(input: $i) { activationCode"
            " userErrors { code message } } }",
            admin,
            i={"kind": kind, "name": f"{kind} terminal", "municipalityCode": "141305", **extra},
        )
        code = registered["registerTerminal"]["activationCode"]
        assert code, registered
        activated = await self.gql(
            "mutation($c: String!) { activateTerminal(activationCode: $c) { token userErrors { code } } }",
            c=code,
        )
        return str(activated["activateTerminal"]["token"])

    async def program(
        self,
        code: str = "141305",
        kind: ProgramKind = ProgramKind.REGULAR,
        name: str = "",
        validity_days: int = 100,
        **extra: Any,
    ) -> ProgramView:
        assert self.operator_actor is not None
        form = ProgramInput(
            code, kind, name or f"{kind.lower()} {code}", validity_days, (ProgramUse.SHOPS,), **extra
        )
        return await add_program(self.operator_actor, form, self.clock.now())

    async def partner(
        self, rate_points: int = 1, rate_yen: int = 1, name: str = "パートナー", scope: str | None = None
    ) -> str:
        """A partner's OAuth access token (every scope, unless ``scope`` names some)."""
        operator = await self.operator()
        added = await self.gql(
            "mutation($n: String!, $p: Int!, $y: Int!) { addPartner(name: $n, ratePoints: $p, rateYen: $y)"
            " { partner { clientId } clientSecret } }",
            operator,
            n=name,
            p=rate_points,
            y=rate_yen,
        )
        client = added["addPartner"]
        response = await self.api.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"} | ({"scope": scope} if scope else {}),
            auth=(client["partner"]["clientId"], client["clientSecret"]),
        )
        return str(response.json()["access_token"])

    async def consent(
        self, resident: "Registered", partner: str = "パートナー", customer_id: str = ""
    ) -> str:
        """The resident links their customer number with the partner on My Page (ID連携): the consent
        an exchange needs. Returns the number (``C-<MyKey ID>`` unless given)."""
        code = await reader().fetchval(
            "SELECT s.code FROM partners p JOIN services s ON s.id = p.service_id WHERE p.name = $1", partner
        )
        number = customer_id or f"C-{resident.my_key_id}"
        linked = await self.gql(
            "mutation($s: String!, $c: String!) { linkService(serviceCode: $s, customerId: $c)"
            " { userErrors { code field } } }",
            resident.token,
            s=str(code),
            c=number,
        )
        assert linked["linkService"]["userErrors"] == [], linked
        return number

    async def grant(
        self, token: str, program_id: int, rows: list[tuple[str, int]], key: str = ""
    ) -> dict[str, Any]:
        data = await self.gql(
            GRANT,
            token,
            i={
                "programId": str(program_id),
                "reason": "ボランティア参加",
                "idempotencyKey": key or f"grant-{len(rows)}-{rows[0][0]}-{rows[0][1]}",
                "grants": [{"myKeyId": m, "points": n} for m, n in rows],
            },
        )
        return dict(data["grantPoints"])

    async def fresh_crl(self) -> None:
        """Import a CRL dated now (point-moving card operations want a current one)."""
        trust = CardTrust((self.authority.certificate,))
        await import_crl(self.authority.crl(self.clock.now()), trust, self.clock.now())

    async def shop_accepting(
        self, program_ids: list[int], code: str = "141305", name: str = "商店", category: str = "SHOP"
    ) -> int:
        assert self.operator_actor is not None
        shop = (await add_shop(self.operator_actor, code, name, category, self.clock.now())).id
        await set_shop_programs(self.operator_actor, shop, program_ids, self.clock.now())
        return shop

    async def actor_of(self, token: str) -> Actor:
        """The actor a session token stands for (to call a domain action as that caller)."""
        found = await actor_for_session(reader(), token, self.clock.now())
        assert found is not None, "not a live session"
        return found.actor

    def later(self, **delta: float) -> None:
        self.clock.advance(timedelta(**delta))


GRANT = (
    "mutation($i: GrantPointsInput!) { grantPoints(input: $i) { granted points"
    " rowErrors { row myKeyId code } userErrors { code field message } } }"
)
COMPLETE = """mutation($input: CompleteRegistrationInput!) {
  completeRegistration(input: $input) {
    token csrfToken cardSession resident { myKeyId status basicMunicipality { code name } }
    userErrors { code field message }
  }
}"""
