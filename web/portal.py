"""The point navigation portal (自治体ポイントナビ): public pages, no sign-in.

* ``/`` — what the points are, how to start in three steps, the support events and campaigns of
  today, and the participating municipalities by prefecture.
* ``/m/{code}`` — a municipality's programs, support events (with what they have received),
  campaigns, the figures it chose to publish, and its shops.
* ``/shops`` — where points can be used, by municipality, prefecture, category, program and words
  in any kana (``domain.shops.search``); ``/shops/{id}`` — one shop, with a map link and schema.org
  ``LocalBusiness`` JSON-LD.
* ``/events/{id}`` — a support event: its days, organiser and purpose; a held event's shops; a
  donation event's progress and the donors who agreed to be named.
* ``/embed/shops?municipality=CODE`` — the "where to spend" list another site may frame (the only
  pages that allow it, see ``api.middleware``).
"""

import json
from dataclasses import dataclass
from html import escape
from itertools import groupby
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from domain.clock import JST, Clock, japan_date
from domain.errors import DomainError, ErrorCode
from domain.municipalities.portal import CampaignOnShow, EventOnShow, municipality_page, overview
from domain.municipalities.queries import MunicipalityView, list_municipalities, list_municipalities_by_id
from domain.numbers import ascii_int
from domain.online.donations import EventProgress, event_progress
from domain.online.items import ItemView, list_items
from domain.programs.queries import ProgramView, get_program, list_programs_by_id
from domain.programs.rules import event_open
from domain.settlement.publishing import PublishedMonth
from domain.shops.actions import CATEGORIES
from domain.shops.listing import Place, PlacePage, PlaceSearch, get_place, search_places
from domain.shops.search import MAX_QUERY
from domain.sql import Sql, reader
from models.programs import ProgramKind
from web.components import badge, banner, button, data_table, field, link_button, select
from web.i18n import Text, language
from web.layout import embed_page, page

PAGE_SIZE = 20
MAP = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
SCHEMA_TYPES = {
    "SHOP": "Store",
    "RESTAURANT": "Restaurant",
    "MUSEUM": "Museum",
    "LIBRARY": "Library",
    "SPORTS": "SportsActivityLocation",
    "TOURISM": "TouristAttraction",
    "SHOPPING_STREET": "LocalBusiness",
}


def category_label(text: Text, category: str) -> str:
    return text(f"category.{category}") if category in CATEGORIES else category


def map_url(place: Place) -> str | None:
    if place.latitude is None or place.longitude is None:
        return None
    return MAP.format(lat=f"{place.latitude:.6f}", lon=f"{place.longitude:.6f}")


async def program_names(sql: Sql, places: list[Place]) -> dict[int, ProgramView]:
    return await list_programs_by_id(sql, sorted({p for place in places for p in place.program_ids}))


def place_card(
    text: Text, place: Place, programs: dict[int, ProgramView], link_attrs: str = "", level: int = 3
) -> str:
    """One shop in a list: its name (a link to its page), kind, municipality, address, programs."""
    accepts = "、".join(programs[p].name for p in place.program_ids if p in programs)
    qr = f" {badge('success', text('portal.scans'))}" if place.scans_vouchers else ""
    name = f'<a href="/shops/{place.id}?lang={text.lang}"{link_attrs}>{escape(place.name)}</a>'
    lines = [
        f"<h{level}>{name}</h{level}>",
        f'<p class="muted small">{escape(category_label(text, place.category))} · '
        f"{escape(place.municipality_name)}{qr}</p>",
    ]
    if place.address:
        lines.append(f"<p>{escape(place.address)}</p>")
    if accepts:
        lines.append(f'<p class="small">{escape(text("portal.accepts", programs=accepts))}</p>')
    return f'<li class="card place">{"".join(lines)}</li>'


def place_list(
    text: Text, places: list[Place], programs: dict[int, ProgramView], link_attrs: str = "", level: int = 3
) -> str:
    if not places:
        return f"<p>{escape(text('portal.no_shops'))}</p>"
    cards = "".join(place_card(text, p, programs, link_attrs, level) for p in places)
    return f'<ul class="plain places">{cards}</ul>'


def _event(text: Text, shown: EventOnShow) -> str:
    p = shown.program
    when = (
        text("portal.event_until", day=text.day(p.ends_on)) if p.ends_on is not None else ""
    )  # open events have both days
    organiser = f"<p>{escape(text('portal.organiser', name=p.organiser))}</p>" if p.organiser else ""
    purpose = f"<p>{escape(p.purpose)}</p>" if p.purpose else ""
    received = text("portal.received", points=text.points(shown.received_points), gifts=f"{shown.gifts:,}")
    href = f"/events/{p.id}?lang={text.lang}"
    return (
        f'<li class="card"><h3><a href="{href}">{escape(p.name)}</a></h3>'
        f'<p class="muted small">{escape(shown.municipality.name)} · '
        f"{escape(when)}</p>{organiser}{purpose}<p><strong>{escape(received)}</strong></p></li>"
    )


def _campaign(text: Text, shown: CampaignOnShow) -> str:
    c = shown.campaign
    title = text("portal.campaign", rate=c.rate_percent, program=shown.program.name)
    return (
        f'<li class="card"><h3>{escape(title)}</h3>'
        f'<p class="muted small">{escape(shown.municipality.name)} · '
        f"{escape(text('portal.campaign_until', day=text.day(c.ends_at)))}</p></li>"
    )


def _program_card(text: Text, p: ProgramView, event: EventOnShow | None) -> str:
    """A program on its municipality's page; a support event with its days, organiser and purpose."""
    kind = text(f"portal.kind_{p.kind.value}")
    days = text("portal.valid_days", days=f"{p.validity_days:,}")
    extra = ""
    if p.kind is ProgramKind.SUPPORT_EVENT and p.starts_on and p.ends_on:
        window = text("portal.event_days", start=text.day(p.starts_on), end=text.day(p.ends_on))
        extra = f"<p>{escape(window)}</p>"
        if p.organiser:
            extra += f"<p>{escape(text('portal.organiser', name=p.organiser))}</p>"
        if p.purpose:
            extra += f"<p>{escape(p.purpose)}</p>"
        if event is not None:
            got = text("portal.received", points=text.points(event.received_points), gifts=f"{event.gifts:,}")
            extra += f"<p><strong>{escape(got)}</strong> {badge('info', text('portal.open_now'))}</p>"
    where = f'<a href="/shops?program={p.id}&amp;lang={text.lang}">{escape(text("portal.where"))}</a>'
    if p.kind is ProgramKind.SUPPORT_EVENT:
        where += f' · <a href="/events/{p.id}?lang={text.lang}">{escape(text("portal.event_page"))}</a>'
        if p.mode is not None:
            extra = f"<p>{badge('info', text(f'console.mode_{p.mode.value}'))}</p>" + extra
    return (
        f'<li class="card" id="program-{p.id}"><h3>{escape(p.name)}</h3>'
        f'<p class="muted small">{escape(kind)} · {escape(days)}</p>{extra}<p>{where}</p></li>'
    )


def _item(text: Text, item: ItemView) -> str:
    left = text("online.left", n=f"{item.stock:,}") if item.stock else text("online.sold_out")
    return (
        f'<li class="card"><h3>{escape(item.name)}</h3><p>{escape(item.description)}</p>'
        f"<p><strong>{text.points(item.price_points)}</strong> · {escape(left)}</p>"
        f'<p><a href="/me/online?lang={text.lang}#item-{item.id}">'
        f"{escape(text('portal.order_on_my_page'))}</a></p>"
        "</li>"
    )


def _donors(text: Text, progress: EventProgress) -> str:
    if not progress.donors:
        return f"<p>{escape(text('portal.no_named_donors'))}</p>"
    rows = [(d.name, text.points(d.points), text.day(d.at)) for d in progress.donors]
    head = (text("portal.donor"), text("portal.points"), text("portal.given_on"))
    return data_table(text("portal.donors"), head, rows, 1)


def _cards(items: list[str], empty: str) -> str:
    return f'<ul class="plain">{"".join(items)}</ul>' if items else f"<p>{escape(empty)}</p>"


def _search_box(text: Text, q: str = "", municipality: str = "") -> str:
    kept = f'<input type="hidden" name="municipality" value="{escape(municipality)}">' if municipality else ""
    return (
        f'<form method="get" action="/shops" role="search" class="search">'
        f'<input type="hidden" name="lang" value="{text.lang}">{kept}'
        + field(
            "q",
            text("portal.search_label"),
            value=q,
            hint=text("portal.search_hint"),
            attrs=f' type="search" maxlength="{MAX_QUERY}"',
        )
        + button(text("portal.search"))
        + "</form>"
    )


def published_table(text: Text, months: list[PublishedMonth]) -> str:
    if not months:
        return f"<p>{escape(text('portal.no_figures'))}</p>"
    rows = [
        (
            m.month,
            text.points(m.issued_points),
            text.points(m.used_points),
            text.points(m.expired_points),
            f"{m.shops_used:,}",
            f"{m.published_at.astimezone(JST):%Y-%m-%d %H:%M}",
        )
        for m in months
    ]
    head = (
        text("portal.month"),
        text("portal.issued"),
        text("portal.used"),
        text("portal.expired"),
        text("portal.shops_used"),
        text("portal.as_of"),
    )
    return data_table(text("portal.figures"), head, rows, 1)


@dataclass(frozen=True)
class PortalPages:
    clock: Clock

    async def home(self, request: Request) -> HTMLResponse:
        text = Text(language(request))
        shown = await overview(reader(), self.clock.now())
        start = "".join(
            f"<li><h3>{escape(text(f'portal.step{n}'))}</h3><p>{escape(text(f'portal.step{n}_text'))}</p></li>"
            for n in (1, 2, 3)
        )
        towns = []
        for prefecture, group in groupby(shown.municipalities, key=lambda t: t.prefecture):
            links = "".join(
                f'<li><a href="/m/{escape(t.code)}?lang={text.lang}">{escape(t.name)}</a></li>' for t in group
            )
            towns.append(f'<h3>{escape(prefecture)}</h3><ul class="plain towns">{links}</ul>')
        body = (
            f"<h1>{escape(text('site.name'))}</h1><p>{escape(text('site.tagline'))}</p>"
            f"<p>{escape(text('portal.what'))}</p>"
            + _search_box(text)
            + f'<h2>{escape(text("portal.start"))}</h2><ol class="start">{start}</ol>'
            + '<p class="quick-row">'
            + link_button(f"/register?lang={text.lang}", text("register.title"))
            + link_button(f"/signin?lang={text.lang}", text("nav.signin"), "secondary")
            + "</p>"
            + f"<h2>{escape(text('portal.events'))}</h2>"
            + _cards([_event(text, e) for e in shown.events], text("portal.no_events"))
            + f"<h2>{escape(text('portal.campaigns'))}</h2>"
            + _cards([_campaign(text, c) for c in shown.campaigns], text("portal.no_campaigns"))
            + f"<h2>{escape(text('portal.towns'))}</h2>"
            + ("".join(towns) or f"<p>{escape(text('portal.no_towns'))}</p>")
            + f'<p><a href="/open-data?lang={text.lang}">{escape(text("opendata.title"))}</a></p>'
        )
        return page(text, text("site.name"), body)

    async def municipality(self, request: Request) -> Response:
        text = Text(language(request))
        sql = reader()
        try:
            shown = await municipality_page(sql, request.path_params["code"], self.clock.now(), PAGE_SIZE)
        except DomainError:
            return _missing(text)
        town = shown.municipality
        events = {e.program.id: e for e in shown.events}
        cards = [_program_card(text, p, events.get(p.id)) for p in shown.programs]
        programs = await program_names(sql, shown.shops.places)
        more = ""
        if shown.shops.total > len(shown.shops.places):
            more = (
                f'<p><a href="/shops?municipality={escape(town.code)}&amp;lang={text.lang}">'
                + escape(text("portal.all_shops", n=f"{shown.shops.total:,}"))
                + "</a></p>"
            )
        embed = embed_snippet(text, str(request.base_url), town)
        body = (
            f"<h1>{escape(town.name)}</h1>"
            f'<p class="muted">{escape(town.prefecture)} · {escape(town.code)}</p>'
            + _search_box(text, municipality=town.code)
            + f"<h2>{escape(text('portal.programs'))}</h2>"
            + _cards(cards, text("portal.no_programs"))
            + f"<h2>{escape(text('portal.campaigns'))}</h2>"
            + _cards([_campaign(text, c) for c in shown.campaigns], text("portal.no_campaigns"))
            + f'<h2 id="items">{escape(text("portal.items"))}</h2><p>{escape(text("portal.items_lead"))}</p>'
            + _cards([_item(text, i) for i in await list_items(town.code)], text("portal.no_items"))
            + f"<h2>{escape(text('portal.figures'))}</h2><p>{escape(text('portal.figures_lead'))}</p>"
            + published_table(text, shown.published)
            + f"<h2>{escape(text('portal.shops_title', n=f'{shown.shops.total:,}'))}</h2>"
            + place_list(text, shown.shops.places, programs)
            + more
            + f"<h2>{escape(text('portal.embed'))}</h2><p>{escape(text('portal.embed_lead'))}</p>"
            + f'<pre class="snippet" tabindex="0">{escape(embed)}</pre>'
        )
        return page(text, town.name, body)

    async def event(self, request: Request) -> Response:
        """``/events/{id}``: one support event, with its progress and named donors (donation) or the
        shops its points are spent at (held)."""
        text = Text(language(request))
        sql = reader()
        number = ascii_int(request.path_params["id"])
        try:
            if number is None:
                raise DomainError(ErrorCode.NOT_FOUND, "No such support event.", "programId")
            progress = await event_progress(number)
            event = await get_program(sql, number)
        except DomainError:
            return _missing(text)
        town = (await list_municipalities_by_id(sql, [event.municipality_id]))[event.municipality_id]
        today = japan_date(self.clock.now())
        open_now = event_open(event.starts_on, event.ends_on, today)
        starts, ends = event.starts_on or today, event.ends_on or today  # a support event has both
        window = text("portal.event_days", start=text.day(starts), end=text.day(ends))
        state = (
            badge("success", text("portal.open_now")) if open_now else badge("info", text("portal.closed"))
        )
        mode = event.mode.value if event.mode else "DONATION"
        about = "".join(
            f"<p>{escape(line)}</p>"
            for line in (
                text("portal.organiser", name=event.organiser) if event.organiser else "",
                event.purpose or "",
                text(f"portal.mode_{mode}_lead"),
            )
            if line
        )
        if event.held:
            where = f"/shops?program={event.id}&lang={text.lang}"
            detail = f'<p><a href="{escape(where)}">{escape(text("portal.where"))}</a></p>'
        else:
            received = text(
                "portal.received", points=text.points(progress.points), gifts=f"{progress.gifts:,}"
            )
            detail = (
                f'<p class="big-number">{text.points(progress.points)}</p><p>{escape(received)}</p>'
                + f"<h2>{escape(text('portal.donors'))}</h2><p>{escape(text('portal.donors_lead'))}</p>"
                + _donors(text, progress)
            )
        act = (
            f"<p>{link_button(f'/me/online?lang={text.lang}', text(f'portal.mode_{mode}_act'))}</p>"
            if open_now
            else ""
        )
        body = (
            f"<h1>{escape(event.name)}</h1>"
            f'<p class="muted"><a href="/m/{escape(town.code)}?lang={text.lang}">{escape(town.name)}</a>'
            f" · {escape(window)} {state}</p>" + about + detail + act
        )
        return page(text, event.name, body)

    async def shops(self, request: Request) -> Response:
        text = Text(language(request))
        q = request.query_params
        sql = reader()
        towns = await list_municipalities(sql, first=2000)
        asked = PlaceSearch(
            municipality_code=q.get("municipality", "").strip(),
            prefecture=q.get("pref", "").strip(),
            category=q.get("category", "").strip(),
            program_id=ascii_int(q.get("program", "")) or 0,
            text=q.get("q", ""),
        )
        problems = []
        if asked.municipality_code and asked.municipality_code not in {t.code for t in towns}:
            problems.append(text("portal.bad_municipality"))
        if asked.category and asked.category not in CATEGORIES:
            problems.append(text("portal.bad_category"))
        chosen = await list_programs_by_id(sql, [asked.program_id]) if asked.program_id else {}
        if asked.program_id and not chosen:
            problems.append(text("portal.bad_program"))
        if len(asked.text) > MAX_QUERY:
            problems.append(text("portal.long_query", n=MAX_QUERY))
        after = max(0, ascii_int(q.get("after", "")) or 0)
        found = PlacePage([], 0) if problems else await search_places(sql, asked, PAGE_SIZE, after)
        programs = await program_names(sql, found.places)
        form = _shop_form(text, asked, towns)
        if problems:
            result = banner(
                "error", text("portal.cannot_search"), "".join(f"<p>{escape(p)}</p>" for p in problems)
            )
        else:
            program = chosen.get(asked.program_id)
            count = text("portal.found", n=f"{found.total:,}")
            result = (
                (f"<p>{escape(text('portal.for_program', program=program.name))}</p>" if program else "")
                + f'<div role="status"><h2 id="count">{escape(count)}</h2></div>'
                + place_list(text, found.places, programs)
                + _pager(text, request, after, found.total)
            )
        title = text("portal.shops")
        return page(
            text, title, f"<h1>{escape(title)}</h1><p>{escape(text('portal.shops_lead'))}</p>{form}{result}"
        )

    async def shop(self, request: Request) -> Response:
        text = Text(language(request))
        sql = reader()
        shop_id = ascii_int(request.path_params["id"])
        try:
            place = await get_place(sql, shop_id or -1)
        except DomainError:
            return _missing(text)
        programs = await program_names(sql, [place])
        facts: list[tuple[str, str]] = [
            (text("portal.kind"), category_label(text, place.category)),
            (text("portal.municipality"), f"{place.prefecture} {place.municipality_name}"),
        ]
        if place.address:
            facts.append((text("portal.address"), f"〒{place.postal_code} {place.address}".strip("〒 ")))
        if place.opening_hours:
            facts.append((text("portal.hours"), place.opening_hours))
        if place.phone:
            facts.append((text("portal.phone"), place.phone))
        accepts = "、".join(programs[p].name for p in place.program_ids if p in programs)
        facts.append((text("portal.accepts_title"), accepts or text("portal.accepts_none")))
        facts.append(
            (
                text("portal.vouchers"),
                text("portal.scans") if place.scans_vouchers else text("portal.no_scan"),
            )
        )
        listing = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts)
        links = []
        where = map_url(place)
        if where:
            links.append(f'<a href="{escape(where)}" rel="noopener">{escape(text("portal.map"))}</a>')
        if place.url:
            links.append(f'<a href="{escape(place.url)}" rel="noopener">{escape(text("portal.website"))}</a>')
        body = (
            f"<h1>{escape(place.name)}</h1>"
            + (f'<p class="muted">{escape(place.kana)}</p>' if place.kana else "")
            + (f"<p>{escape(place.description)}</p>" if place.description else "")
            + f'<dl class="facts">{listing}</dl>'
            + "".join(f"<p>{link}</p>" for link in links)
            + f'<p><a href="/m/{escape(place.municipality_code)}?lang={text.lang}">'
            + escape(text("portal.back_town", town=place.municipality_name))
            + "</a></p>"
            + f'<script type="application/ld+json">{json_ld(place, programs)}</script>'
        )
        return page(text, place.name, body)

    async def embed(self, request: Request) -> Response:
        """The shops of one municipality, for another site's iframe: links open on our site."""
        text = Text(language(request))
        sql = reader()
        code = request.query_params.get("municipality", "").strip()
        try:
            shown = await municipality_page(sql, code, self.clock.now(), 50)
        except DomainError:
            return embed_page(
                text, text("portal.shops"), banner("error", text("portal.bad_municipality")), 404
            )
        programs = await program_names(sql, shown.shops.places)
        town = shown.municipality
        opens = ' target="_blank" rel="noopener"'
        all_link = (
            f'<p><a href="/shops?municipality={escape(town.code)}&amp;lang={text.lang}"{opens}>'
            + escape(text("portal.all_shops", n=f"{shown.shops.total:,}"))
            + "</a></p>"
        )
        body = (
            f"<h1>{escape(text('portal.embed_title', town=town.name))}</h1>"
            + place_list(text, shown.shops.places, programs, opens, level=2)
            + all_link
        )
        return embed_page(text, text("portal.embed_title", town=town.name), body)


def _shop_form(text: Text, asked: PlaceSearch, towns: list[MunicipalityView]) -> str:
    prefectures = sorted(
        {t.prefecture for t in towns}, key=lambda p: min(t.code for t in towns if t.prefecture == p)
    )
    return (
        '<form method="get" action="/shops" role="search" class="search">'
        f'<input type="hidden" name="lang" value="{text.lang}">'
        + field(
            "q",
            text("portal.search_label"),
            value=asked.text[:MAX_QUERY],
            hint=text("portal.search_hint"),
            attrs=f' type="search" maxlength="{MAX_QUERY}"',
        )
        + select(
            "municipality",
            text("portal.municipality"),
            [(t.code, f"{t.name}（{t.prefecture}）") for t in towns],
            chosen=asked.municipality_code,
            prompt=text("portal.any"),
        )
        + select(
            "pref",
            text("portal.prefecture"),
            [(p, p) for p in prefectures],
            chosen=asked.prefecture,
            prompt=text("portal.any"),
        )
        + select(
            "category",
            text("portal.kind"),
            [(c, category_label(text, c)) for c in sorted(CATEGORIES)],
            chosen=asked.category,
            prompt=text("portal.any"),
        )
        + (f'<input type="hidden" name="program" value="{asked.program_id}">' if asked.program_id else "")
        + button(text("portal.search"))
        + "</form>"
    )


def _pager(text: Text, request: Request, after: int, total: int) -> str:
    links = []
    base = {k: v for k, v in request.query_params.items() if k != "after"}
    if after > 0:
        links.append(
            f'<a href="/shops?{escape(urlencode(base | {"after": str(max(0, after - PAGE_SIZE))}))}">'
            f"{escape(text('portal.previous'))}</a>"
        )
    if after + PAGE_SIZE < total:
        links.append(
            f'<a href="/shops?{escape(urlencode(base | {"after": str(after + PAGE_SIZE)}))}" rel="next">'
            f"{escape(text('portal.next'))}</a>"
        )
    return (
        f'<nav class="quick-row" aria-label="{escape(text("portal.pages"))}">{" ".join(links)}</nav>'
        if links
        else ""
    )


def embed_snippet(text: Text, base_url: str, town: MunicipalityView) -> str:
    """The iframe a city or tourism site pastes to show where points work in ``town``."""
    title = escape(text("portal.embed_title", town=town.name))
    source = f"{escape(base_url)}embed/shops?municipality={escape(town.code)}"
    return f'<iframe src="{source}" title="{title}" width="100%" height="480"></iframe>'


def _missing(text: Text) -> HTMLResponse:
    body = (
        f"<h1>{escape(text('notfound.title'))}</h1><p>{escape(text('portal.not_taking_part'))}</p>"
        f'<p><a class="button" href="/?lang={text.lang}">{escape(text("notfound.home"))}</a></p>'
    )
    return page(text, text("notfound.title"), body, status=404)


def json_ld(place: Place, programs: dict[int, ProgramView]) -> str:
    """schema.org ``LocalBusiness`` (or its closer type) for search engines, safe inside <script>."""
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(place.category, "LocalBusiness"),
        "name": place.name,
        "address": {
            "@type": "PostalAddress",
            "addressCountry": "JP",
            "addressRegion": place.prefecture,
            "addressLocality": place.municipality_name,
            **({"postalCode": place.postal_code} if place.postal_code else {}),
            **({"streetAddress": place.address} if place.address else {}),
        },
        "paymentAccepted": "、".join(programs[p].name for p in place.program_ids if p in programs)
        or "MyKey Points",
    }
    if place.kana:
        data["alternateName"] = place.kana
    if place.latitude is not None and place.longitude is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": place.latitude, "longitude": place.longitude}
    if place.phone:
        data["telephone"] = place.phone
    if place.url:
        data["url"] = place.url
    if place.description:
        data["description"] = place.description
    if place.opening_hours:
        data["openingHours"] = place.opening_hours
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
