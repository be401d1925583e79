"""The Starlette application: routes, lifespan (database, ledger key, checkpoint sealer, mail sender)."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute

from api import redaction, webhooks
from api.database import close_database, open_database
from api.events import Listener
from api.grants_csv import MAX_BYTES as GRANTS_CSV_BYTES
from api.grants_csv import grants_csv_endpoint
from api.graphql import GraphQLApp
from api.metrics import MetricsMiddleware, metrics_endpoint
from api.middleware import BodyLimit, Compress, SameOriginForms, SecurityHeaders
from api.oauth import token_endpoint
from api.partner_files import reconciliation_endpoint
from api.routes import healthz
from api.settings import Settings, mail_transport
from api.settlement_files import (
    report_endpoint,
    shop_statement_endpoint,
    statements_endpoint,
    zengin_endpoint,
)
from api.trust import TrustSource
from domain.auth.access_tokens import AccessTokens
from domain.auth.passwords import Argon2Cost
from domain.auth.passwords import configure as configure_passwords
from domain.clock import Clock
from domain.events import sender
from domain.ledger.checkpoints import seal_all
from domain.ledger.signing import LedgerKey
from domain.notifications.sender import send_pending
from domain.partners.webhooks import send_due
from domain.vouchers.tokens import VoucherKey
from web import terminals
from web.assets import STATIC, HashedStatic
from web.authorize import AuthorizePages, widget_js
from web.console import ConsolePages, ShopDesk, TerminalDesk
from web.console_desks import AuditDesk, ProgramDesk, ResidentDesk, StaffDesk
from web.console_grants import UPLOAD_BYTES as GRANT_FILE_BYTES
from web.console_grants import GrantDesk
from web.console_online import OnlineDesk
from web.console_portal import PortalDesk
from web.counter import barcode_svg
from web.layout import DESIGN_TOKENS, tokens_installed
from web.layout import configure as configure_site
from web.open_data import about as open_data_about
from web.open_data import shops_csv, shops_geojson, shops_json
from web.operator import OperatorPages, PartnerBillingDesk
from web.pages import not_found, privacy, terms
from web.partner import PartnerPages
from web.portal import PortalPages
from web.register import register
from web.resident import ResidentPages
from web.resident_online import OnlinePages
from web.shop import MAX_FRAME, ShopPages
from web.vouchers import VoucherPages

log = logging.getLogger("mykey")
# called by programs with bearer tokens, or (GraphQL with a cookie) with the CSRF header
API_PATHS = ("/graphql", "/oauth/token", "/grants.csv")


async def _seal_periodically(key: LedgerKey, clock: Clock, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await seal_all(key, clock)
        except Exception:
            log.exception("sealing ledger checkpoints failed; will retry")


async def _send_mail_periodically(settings: Settings, clock: Clock) -> None:
    transport = mail_transport(settings)
    while True:
        await asyncio.sleep(settings.outbox_interval)
        try:
            await send_pending(transport, settings.mail_from, clock.now())
        except Exception:
            log.exception("sending the outbox failed; will retry")


async def _send_webhooks_periodically(clock: Clock, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            await send_due(webhooks.post, clock.now())
        except Exception:
            log.exception("sending webhooks failed; will retry")


def create_app(
    settings: Settings | None = None, clock: Clock | None = None, manage_database: bool = True
) -> Starlette:
    """Build the app. Tests pass ``manage_database=False`` and open the database themselves."""
    settings = settings or Settings.from_env()
    clock = clock or settings.clock()
    redaction.install()
    key = LedgerKey.load_or_create(settings.ledger_key_path)
    tokens = AccessTokens.load_or_create(settings.oauth_key_path)
    voucher_key = VoucherKey.load_or_create(settings.voucher_key_path)
    configure_passwords(
        Argon2Cost(time_cost=settings.argon2_time_cost, memory_kib=settings.argon2_memory_kib)
    )
    configure_site(settings.operator_name, settings.contact_email)
    pages = VoucherPages(voucher_key, clock, settings.public_url)
    residents = ResidentPages(clock, voucher_key, settings.production)
    online_pages = OnlinePages(clock, residents)
    shops = ShopPages(clock, settings.production)
    operators = OperatorPages(clock, settings.production)
    console = ConsolePages(clock, settings.production)
    partners = PartnerPages(clock, settings.production)
    portal = PortalPages(clock)
    shop_desk = ShopDesk(console)
    terminal_desk = TerminalDesk(console)
    grant_desk = GrantDesk(console)
    program_desk = ProgramDesk(console, "/console/programs")
    staff_desk = StaffDesk(console, "/console/staff")
    portal_desk = PortalDesk(console, "/console/portal")
    online_desk = OnlineDesk(console, "/console/online")
    resident_desk = ResidentDesk(console, "/console/residents")
    audit_desk = AuditDesk(console, "/console/audit")
    graphql = GraphQLApp(
        clock=clock,
        ledger_key=key,
        trust=TrustSource(settings.trusted_ca_path),
        access_tokens=tokens,
        voucher_key=voucher_key,
        public_url=settings.public_url,
        production=settings.production,
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if not tokens_installed():
            log.warning(
                "the design tokens are not installed (%s): pages use app.css's own colours; run `npm ci`"
                " (make install does it when npm is on PATH)",
                DESIGN_TOKENS,
            )
        if manage_database:
            await open_database(settings)
        listener = None
        if not settings.sqlite:
            listener = Listener(settings.database_url)
            await listener.start()
        workers = []
        if settings.checkpoint_interval > 0:
            workers.append(asyncio.create_task(_seal_periodically(key, clock, settings.checkpoint_interval)))
        if settings.outbox_interval > 0:
            workers.append(asyncio.create_task(_send_mail_periodically(settings, clock)))
            workers.append(asyncio.create_task(_send_webhooks_periodically(clock, settings.outbox_interval)))
        try:
            yield
        finally:
            for worker in workers:
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker
            await sender.drained()  # the live events of the last requests
            if listener is not None:
                await listener.stop()
            if manage_database:
                await close_database()

    app = Starlette(
        routes=[
            # Starlette tries the routes in order, a regular expression each: the API's paths come
            # first (the last of 111 routes, /graphql cost a fifth of its own stack's floor to find)
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/oauth/token", token_endpoint(tokens, clock, settings.production), methods=["POST"]),
            Route("/healthz", healthz),
            Route("/", portal.home),
            Route("/m/{code}", portal.municipality),
            Route("/events/{id}", portal.event),
            Route("/shops", portal.shops),
            Route("/shops/{id}", portal.shop),
            Route("/embed/shops", portal.embed),
            Route("/open-data", open_data_about),
            Route("/open-data/shops.csv", shops_csv),
            Route("/open-data/shops.json", shops_json),
            Route("/open-data/shops.geojson", shops_geojson),
            Route("/signin", residents.signin, methods=["GET", "POST"]),
            Route("/signout", residents.signout, methods=["POST"]),
            Route("/register", register),
            Route("/shop", shops.scan),
            Route("/shop/signin", shops.signin, methods=["GET", "POST"]),
            Route("/shop/decode", shops.decode, methods=["POST"]),
            Route("/widget.js", widget_js),
            Route("/oauth/authorize", AuthorizePages(clock).show, methods=["GET"]),
            Route("/oauth/authorize", AuthorizePages(clock).confirm, methods=["POST"]),
            Route("/console", console.home),
            Route("/console/signin", console.signin, methods=["GET", "POST"]),
            Route("/console/settlements/close", console.close, methods=["POST"]),
            Route("/console/shops", shop_desk.show),
            Route("/console/shops/bank", shop_desk.bank, methods=["POST"]),
            Route("/console/shops/add", shop_desk.add, methods=["POST"]),
            Route("/console/shops/programs", shop_desk.programs, methods=["POST"]),
            Route("/console/agreements", shop_desk.agreement, methods=["POST"]),
            Route("/console/portal", portal_desk.show),
            Route("/console/portal/shop", portal_desk.shop, methods=["GET"]),
            Route("/console/portal/shop", portal_desk.save_shop, methods=["POST"]),
            Route("/console/portal/publish", portal_desk.publish, methods=["POST"]),
            Route("/console/online", online_desk.show),
            Route("/console/online/items", online_desk.add, methods=["POST"]),
            Route("/console/online/restock", online_desk.restock, methods=["POST"]),
            Route("/console/online/sale", online_desk.sale, methods=["POST"]),
            Route("/console/online/fulfil", online_desk.fulfil, methods=["POST"]),
            Route("/console/online/cancel", online_desk.cancel, methods=["POST"]),
            Route("/console/terminals", terminal_desk.show, methods=["GET"]),
            Route("/console/terminals", terminal_desk.register, methods=["POST"]),
            Route("/console/terminals/revoke", terminal_desk.revoke, methods=["POST"]),
            Route("/console/payouts/sent", console.mark_paid, methods=["POST"]),
            Route("/console/settlements/preview", console.preview),
            Route("/console/programs", program_desk.show, methods=["GET"]),
            Route("/console/programs", program_desk.add, methods=["POST"]),
            Route("/console/programs/update", program_desk.update, methods=["POST"]),
            Route("/console/campaigns", program_desk.add_campaign, methods=["POST"]),
            Route("/console/campaigns/end", program_desk.end_campaign, methods=["POST"]),
            Route("/console/staff", staff_desk.show, methods=["GET"]),
            Route("/console/staff", staff_desk.add, methods=["POST"]),
            Route("/console/staff/deactivate", staff_desk.deactivate, methods=["POST"]),
            Route("/console/departments", staff_desk.add_department, methods=["POST"]),
            Route("/console/residents", resident_desk.show),
            Route("/console/residents/suspend", resident_desk.suspend, methods=["POST"]),
            Route("/console/audit", audit_desk.show),
            Route("/console/grants", grant_desk.show),
            Route("/console/grants/one", grant_desk.one, methods=["POST"]),
            Route("/console/grants/file", grant_desk.check, methods=["POST"]),
            Route("/console/grants/files/{file_id}/start", grant_desk.start, methods=["POST"]),
            Route("/console/grants/files/{file_id}/progress", grant_desk.progress),
            Route("/partner", partners.exchanges),
            Route("/partner/signin", partners.signin, methods=["GET", "POST"]),
            Route("/partner/coupons", partners.coupons),
            Route("/partner/coupons/issue", partners.issue, methods=["POST"]),
            Route("/partner/coupons/{id}/download", partners.download, methods=["POST"]),
            Route("/partner/coupons/{id}/void", partners.void, methods=["POST"]),
            Route("/partner/statements", partners.statements),
            Route("/partner/keys", partners.keys, methods=["GET"]),
            Route("/partner/keys", partners.change_keys, methods=["POST"]),
            Route("/partner/activity", partners.activity),
            Route("/operator", operators.desk),
            Route("/operator/partners", PartnerBillingDesk(clock).show),
            Route("/operator/partners/billing", PartnerBillingDesk(clock).save, methods=["POST"]),
            Route("/operator/partners/staff", PartnerBillingDesk(clock).add_staff, methods=["POST"]),
            Route("/operator/signin", operators.signin, methods=["GET", "POST"]),
            Route("/operator/suspend", operators.suspend, methods=["POST"]),
            Route("/counter", terminals.counter),
            Route("/terminal/pay", terminals.pay),
            Route("/terminal/print", terminals.printer),
            Route("/terminal/grant", terminals.grant),
            Route("/counter/barcode.svg", barcode_svg),
            Route("/me", residents.me),
            Route("/me/move", residents.move, methods=["POST"]),
            Route("/me/online", online_pages.show),
            Route("/me/online/move", online_pages.move, methods=["POST"]),
            Route("/me/online/donate", online_pages.donate, methods=["POST"]),
            Route("/me/online/order", online_pages.order, methods=["POST"]),
            Route("/me/vouchers", residents.issue, methods=["POST"]),
            Route("/me/coupon", residents.coupon, methods=["POST"]),
            Route("/me/links", residents.link, methods=["POST"]),
            Route("/me/links/remove", residents.unlink, methods=["POST"]),
            Route("/me/settings", residents.settings, methods=["POST"]),
            Route("/me/settings", residents.settings_page, methods=["GET"]),
            Route("/me/password", residents.password, methods=["POST"]),
            Mount("/static", app=HashedStatic(directory=STATIC), name="static"),
            Mount("/vendor/design-tokens", app=HashedStatic(directory=DESIGN_TOKENS, check_dir=False)),
            Route("/privacy", privacy),
            Route("/terms", terms),
            Route("/metrics", metrics_endpoint(settings.metrics_allow, settings.metrics_token)),
            Route("/grants.csv", grants_csv_endpoint(tokens, clock), methods=["POST"]),
            Route("/partner/reconciliation/{day}.csv", reconciliation_endpoint(tokens, clock)),
            Route("/settlements/{id}/zengin", zengin_endpoint(tokens, clock)),
            Route("/settlements/{id}/statements.csv", statements_endpoint(tokens, clock)),
            Route("/reports/{code}/{month}.{kind}", report_endpoint(tokens, clock)),
            Route("/settlements/{id}/shops/{shop}/statement.pdf", shop_statement_endpoint(tokens, clock)),
            Route("/v/{token}.{format:str}", pages.image),
            Route("/v/{token}/print", pages.print),
            Route("/v/{token}/status", pages.status),
            Route("/v/{token}/redeem", pages.redeem, methods=["POST"]),
            Route("/v/{token}", pages.show),
            Route("/V/{token}", pages.show),
        ],
        middleware=[
            Middleware(MetricsMiddleware),
            Middleware(SecurityHeaders, production=settings.production),
            Middleware(
                BodyLimit,
                limit=settings.max_body_bytes,
                larger={
                    "/grants.csv": GRANTS_CSV_BYTES + 64 * 1024,
                    "/console/grants/file": GRANT_FILE_BYTES,
                    "/shop/decode": MAX_FRAME + 64 * 1024,
                },
            ),
            Middleware(SameOriginForms, public_url=settings.public_url, exempt=API_PATHS),
            Middleware(Compress, exempt=(*API_PATHS, "/settlements/", "/metrics")),
        ],
        exception_handlers={404: not_found},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.ledger_key = key
    return app


def app_from_env() -> Starlette:
    """uvicorn factory: ``uvicorn --factory api.app:app_from_env``.

    What the app built (the schema, its types, the routes, the modules) lives as long as the process:
    frozen out of the cyclic garbage collector, a full collection no longer walks it (212,000
    objects: a pause of tens of milliseconds in the middle of someone's request)."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app
