"""Registration (screen 16), sign-in, lost cards and settings; ``me``."""

from typing import TypeVar

import strawberry

from domain.auth.permissions import Permission
from domain.residents import actions, registration
from domain.residents.access import resident_id_of
from resolvers.sessions import deliver
from schema.cards import CardProofInput
from schema.context import Info
from schema.errors import attempt
from schema.permissions import Needs
from schema.residents import (
    BeginRegistrationPayload,
    ChangePasswordPayload,
    CheckMyKeyIdPayload,
    CompleteRegistrationInput,
    CompleteRegistrationPayload,
    GenerateMyKeyIdPayload,
    LoginWithCardPayload,
    LoginWithPasswordPayload,
    LogOutPayload,
    RebindCardPayload,
    Resident,
    SessionPayload,
    SuspendMyKeyIdOnRequestPayload,
    SuspendMyKeyIdPayload,
    UpdateSettingsInput,
    UpdateSettingsPayload,
)

S = TypeVar("S", bound=SessionPayload)


def _signed_in(
    info: Info, kind: type[S], done: actions.SignedIn | registration.Registered, cookie: bool
) -> S:
    return kind(
        token=deliver(info, done.session, cookie),
        csrf_token=done.session.csrf,
        expires_at=done.session.expires_at,
        resident=Resident.from_view(done.resident),
        card_session=done.session.card,
    )


@strawberry.type
class ResidentQuery:
    @strawberry.field(
        description="The signed-in resident. Residents only.", extensions=[Needs(Permission.RESIDENT)]
    )
    async def me(self, info: Info) -> Resident:
        return Resident(id=resident_id_of(info.context.actor))


@strawberry.type
class ResidentMutation:
    @strawberry.mutation(
        description="Start creating a MyKey ID with the card. Anyone with a card.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def begin_registration(self, info: Info, proof: CardProofInput) -> BeginRegistrationPayload:
        async def work() -> BeginRegistrationPayload:
            token = await registration.begin_registration(
                proof.to_domain(), info.context.card_trust, info.context.clock.now()
            )
            return BeginRegistrationPayload(registration_token=token)

        return await attempt(BeginRegistrationPayload, work())

    @strawberry.mutation(
        description="Auto-generate a candidate: 3 presses at most; the 3rd is final.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def generate_my_key_id(self, info: Info, registration_token: str) -> GenerateMyKeyIdPayload:
        async def work() -> GenerateMyKeyIdPayload:
            got = await registration.generate_my_key_id(registration_token, info.context.clock.now())
            return GenerateMyKeyIdPayload(candidate=got.candidate, remaining=got.remaining, final=got.final)

        return await attempt(GenerateMyKeyIdPayload, work())

    @strawberry.mutation(
        description="Duplicate check of your own candidate; after 3 taken ones, one is generated.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def check_my_key_id(
        self, info: Info, registration_token: str, candidate: str
    ) -> CheckMyKeyIdPayload:
        async def work() -> CheckMyKeyIdPayload:
            got = await registration.check_my_key_id(
                registration_token, candidate, info.context.clock.now(), info.context.client_address
            )
            return CheckMyKeyIdPayload(
                available=got.available, remaining=got.remaining, candidate=got.candidate
            )

        return await attempt(CheckMyKeyIdPayload, work())

    @strawberry.mutation(
        description="Register the MyKey ID, password, e-mail and choices; signs in with the card.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def complete_registration(
        self, info: Info, input: CompleteRegistrationInput, use_cookie: bool = False
    ) -> CompleteRegistrationPayload:
        async def work() -> CompleteRegistrationPayload:
            form = registration.RegistrationInput(
                registration_token=input.registration_token,
                my_key_id=input.my_key_id,
                password=input.password,
                password_confirmation=input.password_confirmation,
                email=input.email,
                email_confirmation=input.email_confirmation,
                notifications=input.notifications.to_domain(),
                basic_municipality_code=input.basic_municipality_code,
            )
            done = await registration.complete_registration(form, info.context.clock.now())
            return _signed_in(info, CompleteRegistrationPayload, done, use_cookie)

        return await attempt(CompleteRegistrationPayload, work())

    @strawberry.mutation(
        description="Sign in with the card (a card session may move and spend points).",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def login_with_card(
        self, info: Info, proof: CardProofInput, use_cookie: bool = False
    ) -> LoginWithCardPayload:
        async def work() -> LoginWithCardPayload:
            done = await actions.login_with_card(
                proof.to_domain(), info.context.card_trust, info.context.clock.now()
            )
            return _signed_in(info, LoginWithCardPayload, done, use_cookie)

        return await attempt(LoginWithCardPayload, work())

    @strawberry.mutation(
        description="Sign in with MyKey ID and password (reading and light settings only).",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def login_with_password(
        self, info: Info, my_key_id: str, password: str, use_cookie: bool = False
    ) -> LoginWithPasswordPayload:
        async def work() -> LoginWithPasswordPayload:
            done = await actions.login_with_password(
                my_key_id, password, info.context.clock.now(), info.context.client_address
            )
            return _signed_in(info, LoginWithPasswordPayload, done, use_cookie)

        return await attempt(LoginWithPasswordPayload, work())

    @strawberry.mutation(
        description="Bind a renewed or new card to your MyKey ID (password + the new card).",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def rebind_card(
        self, info: Info, my_key_id: str, password: str, proof: CardProofInput
    ) -> RebindCardPayload:
        async def work() -> RebindCardPayload:
            resident = await actions.rebind_card(
                my_key_id,
                password,
                proof.to_domain(),
                info.context.card_trust,
                info.context.clock.now(),
                info.context.client_address,
            )
            return RebindCardPayload(resident=Resident.from_view(resident))

        return await attempt(RebindCardPayload, work())

    @strawberry.mutation(
        description="Lost card: suspend the MyKey ID at once, with the password alone.",
        extensions=[Needs(Permission.PUBLIC)],
    )
    async def suspend_my_key_id(self, info: Info, my_key_id: str, password: str) -> SuspendMyKeyIdPayload:
        async def work() -> SuspendMyKeyIdPayload:
            resident = await actions.suspend_my_key_id(
                my_key_id, password, info.context.clock.now(), info.context.client_address
            )
            return SuspendMyKeyIdPayload(resident=Resident.from_view(resident))

        return await attempt(SuspendMyKeyIdPayload, work())

    @strawberry.mutation(
        description="Suspend a MyKey ID at its resident's request (e.g. a lost card reported by telephone),"
        " with the reason. The operator, or a municipality's admin (recorded in its audit log).",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def suspend_my_key_id_on_request(
        self, info: Info, my_key_id: str, reason: str
    ) -> SuspendMyKeyIdOnRequestPayload:
        async def work() -> SuspendMyKeyIdOnRequestPayload:
            resident = await actions.suspend_on_request(
                info.context.actor, my_key_id, reason, info.context.clock.now()
            )
            return SuspendMyKeyIdOnRequestPayload(resident=Resident.from_view(resident))

        return await attempt(SuspendMyKeyIdOnRequestPayload, work())

    @strawberry.mutation(
        description="Change the My Page password. Residents.", extensions=[Needs(Permission.RESIDENT)]
    )
    async def change_password(
        self, info: Info, current_password: str, password: str, password_confirmation: str
    ) -> ChangePasswordPayload:
        async def work() -> ChangePasswordPayload:
            resident = await actions.change_password(
                info.context.actor,
                current_password,
                password,
                password_confirmation,
                info.context.clock.now(),
            )
            return ChangePasswordPayload(resident=Resident.from_view(resident))

        return await attempt(ChangePasswordPayload, work())

    @strawberry.mutation(
        description="E-mail, notification choices and basic municipality. Residents.",
        extensions=[Needs(Permission.RESIDENT)],
    )
    async def update_settings(self, info: Info, input: UpdateSettingsInput) -> UpdateSettingsPayload:
        async def work() -> UpdateSettingsPayload:
            form = actions.SettingsInput(
                email=input.email,
                email_confirmation=input.email_confirmation,
                notifications=input.notifications.to_domain(),
                basic_municipality_code=input.basic_municipality_code,
            )
            resident = await actions.update_settings(info.context.actor, form)
            return UpdateSettingsPayload(resident=Resident.from_view(resident))

        return await attempt(UpdateSettingsPayload, work())

    @strawberry.mutation(
        description="End this session (residents and staff).", extensions=[Needs(Permission.SIGNED_IN)]
    )
    async def log_out(self, info: Info) -> LogOutPayload:
        async def work() -> LogOutPayload:
            await actions.log_out(info.context.actor, info.context.clock.now())
            return LogOutPayload(ok=True)

        return await attempt(LogOutPayload, work())
