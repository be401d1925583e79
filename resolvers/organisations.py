"""Onboarding: municipalities, shops, partners (the operator and municipality admins)."""

import strawberry

from domain.auth.permissions import Permission
from domain.municipalities.actions import MunicipalityInput, add_municipality
from domain.partners.actions import add_partner, rotate_partner_secret, set_partner_active
from domain.partners.authorize import set_redirect_uris
from domain.partners.billing import BillingInput, set_partner_billing
from domain.partners.webhooks import set_webhook
from domain.settlement.banks import BankAccount
from domain.shops.actions import add_shop, set_shop_bank_account
from resolvers.ids import int_id
from schema.context import Info
from schema.errors import attempt
from schema.partners import (
    AddPartnerPayload,
    Partner,
    PartnerBilling,
    PartnerBillingInput,
    RotatePartnerSecretPayload,
    SetPartnerActivePayload,
    SetPartnerBillingPayload,
    SetPartnerRedirectUrisPayload,
    SetPartnerWebhookPayload,
)
from schema.permissions import Needs
from schema.programs import AddMunicipalityInput, AddMunicipalityPayload, BankAccountInput, Municipality
from schema.shops import AddShopPayload, SetShopBankAccountPayload, Shop
from schema.shops import BankAccount as ShopBankAccount


@strawberry.type
class OrganisationMutation:
    @strawberry.mutation(
        description="A municipality joins the platform, picked from the JIS X 0402 list. The operator.",
        extensions=[Needs(Permission.OPERATOR)],
    )
    async def add_municipality(self, info: Info, input: AddMunicipalityInput) -> AddMunicipalityPayload:
        async def work() -> AddMunicipalityPayload:
            bank = input.bank_account
            form = MunicipalityInput(
                code=input.code,
                contact_email=input.contact_email,
                contact_phone=input.contact_phone,
                bank=BankAccount(
                    bank.bank_code, bank.branch_code, bank.account_type, bank.account_number, bank.holder_kana
                ),
                requester_code=input.transfer_requester_code,
                schedule=input.settlement_schedule,
            )
            found = await add_municipality(info.context.actor, form, info.context.clock.now())
            return AddMunicipalityPayload(municipality=Municipality.from_view(found))

        return await attempt(AddMunicipalityPayload, work())

    @strawberry.mutation(
        description="Where the municipality pays a shop: a 全銀 account checked against the bank list, the"
        " holder kept in the transfer file's kana. Its municipality's admin, or the operator.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def set_shop_bank_account(
        self, info: Info, shop_id: strawberry.ID, input: BankAccountInput
    ) -> SetShopBankAccountPayload:
        async def work() -> SetShopBankAccountPayload:
            account = BankAccount(
                input.bank_code,
                input.branch_code,
                input.account_type,
                input.account_number,
                input.holder_kana,
            )
            done = await set_shop_bank_account(
                info.context.actor, int_id(shop_id) or -1, account, info.context.clock.now()
            )
            return SetShopBankAccountPayload(
                shop=Shop.from_view(done.shop), bank_account=ShopBankAccount.from_view(done.account)
            )

        return await attempt(SetShopBankAccountPayload, work())

    @strawberry.mutation(
        description="Register a shop or facility. Its municipality's admin, or the operator.",
        extensions=[Needs(Permission.MUNICIPALITY_ADMIN)],
    )
    async def add_shop(self, info: Info, municipality_code: str, name: str, category: str) -> AddShopPayload:
        async def work() -> AddShopPayload:
            shop = await add_shop(
                info.context.actor, municipality_code, name, category, info.context.clock.now()
            )
            return AddShopPayload(shop=Shop.from_view(shop))

        return await attempt(AddShopPayload, work())

    @strawberry.mutation(
        description="Register a partner company; its client secret is shown once. The operator.",
        extensions=[Needs(Permission.OPERATOR)],
    )
    async def add_partner(
        self, info: Info, name: str, rate_points: int = 1, rate_yen: int = 1
    ) -> AddPartnerPayload:
        async def work() -> AddPartnerPayload:
            made = await add_partner(
                info.context.actor, name, info.context.clock.now(), rate_points, rate_yen
            )
            return AddPartnerPayload(
                partner=Partner.from_view(made.partner), client_secret=made.client_secret
            )

        return await attempt(AddPartnerPayload, work())

    @strawberry.mutation(
        description="Suspend or restore a partner; its tokens stop at once. The operator.",
        extensions=[Needs(Permission.OPERATOR)],
    )
    async def set_partner_active(self, info: Info, client_id: str, active: bool) -> SetPartnerActivePayload:
        async def work() -> SetPartnerActivePayload:
            partner = await set_partner_active(info.context.actor, client_id, active)
            return SetPartnerActivePayload(partner=Partner.from_view(partner))

        return await attempt(SetPartnerActivePayload, work())

    @strawberry.mutation(
        description="The exact URIs the exchange widget may send a resident back to (https; http only for"
        " localhost; up to 5). The operator, or the partner's staff.",
        extensions=[Needs(Permission.PARTNER_KEYS)],
    )
    async def set_partner_redirect_uris(
        self, info: Info, client_id: str, redirect_uris: list[str]
    ) -> SetPartnerRedirectUrisPayload:
        async def work() -> SetPartnerRedirectUrisPayload:
            done = await set_redirect_uris(
                info.context.actor, client_id, redirect_uris, info.context.clock.now()
            )
            return SetPartnerRedirectUrisPayload(redirect_uris=done)

        return await attempt(SetPartnerRedirectUrisPayload, work())

    @strawberry.mutation(
        description="Where a partner's webhook notices go (each exchange's final state), with a new signing"
        " secret shown once; null removes it. The operator, or the partner's staff.",
        extensions=[Needs(Permission.PARTNER_KEYS)],
    )
    async def set_partner_webhook(
        self, info: Info, client_id: str, url: str | None
    ) -> SetPartnerWebhookPayload:
        async def work() -> SetPartnerWebhookPayload:
            return SetPartnerWebhookPayload(
                webhook_secret=await set_webhook(info.context.actor, client_id, url, info.context.clock.now())
            )

        return await attempt(SetPartnerWebhookPayload, work())

    @strawberry.mutation(
        description="A new client secret for a partner (shown once). The previous one keeps working for"
        " ``overlapHours`` (0 to 168; 0 stops it now) while the partner's servers change over. The operator,"
        " or the partner's staff.",
        extensions=[Needs(Permission.PARTNER_KEYS)],
    )
    async def rotate_partner_secret(
        self, info: Info, client_id: str, overlap_hours: int = 24
    ) -> RotatePartnerSecretPayload:
        async def work() -> RotatePartnerSecretPayload:
            done = await rotate_partner_secret(
                info.context.actor, client_id, info.context.clock.now(), overlap_hours
            )
            return RotatePartnerSecretPayload(
                client_secret=done.credentials.client_secret, previous_valid_until=done.previous_valid_until
            )

        return await attempt(RotatePartnerSecretPayload, work())

    @strawberry.mutation(
        description="Where municipalities send a partner's invoices (請求先), with its 適格請求書"
        " registration number. The operator.",
        extensions=[Needs(Permission.OPERATOR)],
    )
    async def set_partner_billing(
        self, info: Info, client_id: str, input: PartnerBillingInput
    ) -> SetPartnerBillingPayload:
        async def work() -> SetPartnerBillingPayload:
            form = BillingInput(
                name=input.name,
                postal_code=input.postal_code,
                address=input.address,
                email=input.email,
                department=input.department,
                invoice_number=input.invoice_number,
            )
            done = await set_partner_billing(info.context.actor, client_id, form, info.context.clock.now())
            return SetPartnerBillingPayload(billing=PartnerBilling.from_view(done))

        return await attempt(SetPartnerBillingPayload, work())
