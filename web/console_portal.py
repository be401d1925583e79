"""``/console/portal``: what the municipality shows on the public portal.

* Each shop as a place (reading, address, position, opening hours, description, phone, web address,
  whether it takes QR vouchers), entered on ``/console/portal/shop?shop=ID`` — a refused field is
  shown again with its error under it, and nothing is saved.
* The month's figures the municipality chooses to publish (points issued, used, expired and the
  number of shops where they were used; no personal data), published again to refresh them.
* The code a city or tourism site pastes to frame the "where to spend" list.
"""

from dataclasses import dataclass
from datetime import date
from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from domain.auth.sessions import SessionActor
from domain.clock import japan_date
from domain.errors import DomainError, ErrorCode
from domain.municipalities.queries import MunicipalityView
from domain.numbers import ascii_int
from domain.settlement.publishing import list_published, publish_monthly_figures
from domain.shops.listing import Place, PlaceSearch, get_place, search_places
from domain.shops.places import ShopPlace, set_shop_place
from domain.sql import reader
from web.components import Problem, button, confirm_box, data_table, error_summary, field
from web.console_desks import Desk, _form
from web.i18n import Text, language
from web.portal import embed_snippet, map_url, published_table

FIELDS = (  # (form name, message key, input attributes)
    ("kana", "console.place_kana", ' maxlength="100"'),
    ("postalCode", "console.place_postal", ' maxlength="8" inputmode="numeric" autocomplete="off"'),
    ("address", "console.place_address", ' maxlength="200"'),
    ("latitude", "console.place_latitude", ' inputmode="decimal" maxlength="12"'),
    ("longitude", "console.place_longitude", ' inputmode="decimal" maxlength="12"'),
    ("openingHours", "console.place_hours", ' maxlength="200"'),
    ("description", "console.place_description", ' maxlength="400"'),
    ("phone", "console.place_phone", ' maxlength="20" inputmode="tel"'),
    ("url", "console.place_url", ' maxlength="300" inputmode="url"'),
)


def _number(value: str, name: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError as exc:
        message = "Give a number in decimal degrees, e.g. 35.5766."
        raise DomainError(ErrorCode.INVALID_INPUT, message, name, f"place.{name}") from exc


def place_from_form(form: dict[str, str]) -> ShopPlace:
    return ShopPlace(
        kana=form.get("kana", ""),
        postal_code=form.get("postalCode", ""),
        address=form.get("address", ""),
        latitude=_number(form.get("latitude", ""), "latitude"),
        longitude=_number(form.get("longitude", ""), "longitude"),
        opening_hours=form.get("openingHours", ""),
        description=form.get("description", ""),
        phone=form.get("phone", ""),
        url=form.get("url", ""),
        scans_vouchers=form.get("scansVouchers") == "yes",
    )


def _values(place: Place) -> dict[str, str]:
    return {
        "kana": place.kana,
        "postalCode": place.postal_code,
        "address": place.address,
        "latitude": "" if place.latitude is None else f"{place.latitude:.6f}",
        "longitude": "" if place.longitude is None else f"{place.longitude:.6f}",
        "openingHours": place.opening_hours,
        "description": place.description,
        "phone": place.phone,
        "url": place.url,
        "scansVouchers": "yes" if place.scans_vouchers else "",
    }


def _query(text: Text, town: MunicipalityView, **more: str) -> str:
    return urlencode({"lang": text.lang, "m": town.code} | more)


def _last_month(today: date) -> str:
    first = today.replace(day=1)
    return f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"


@dataclass(frozen=True)
class PortalDesk(Desk):
    async def show(self, request: Request) -> Response:
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        text, found, town = opened
        sql = reader()
        shops = await search_places(sql, PlaceSearch(municipality_code=town.code), 500)
        rows = [
            (
                p.name,
                p.address or text("console.place_missing"),
                text("console.yes") if map_url(p) else text("console.no"),
                text("console.yes") if p.scans_vouchers else text("console.no"),
            )
            for p in shops.places
        ]
        head = (
            text("console.shop"),
            text("portal.address"),
            text("console.place_on_map"),
            text("portal.vouchers"),
        )
        edit = "".join(
            f'<li><a href="/console/portal/shop?{escape(_query(text, town, shop=str(p.id)))}">'
            f"{escape(text('console.place_edit', shop=p.name))}</a></li>"
            for p in shops.places
        )
        today = japan_date(self.pages.clock.now())
        publish = _form(
            text,
            "/console/portal/publish",
            town,
            field(
                "publish-month",
                text("portal.month"),
                name="month",
                kind="month",
                value=_last_month(today),
                hint=text("console.publish_hint"),
                attrs=' required pattern="[0-9]{4}-[0-9]{2}"',
            )
            + confirm_box(text("console.publish_confirm"))
            + button(text("console.publish")),
        )
        public = f"/m/{town.code}?lang={text.lang}"
        embed = embed_snippet(text, str(request.base_url), town)
        body = (
            f'<p><a href="{escape(public)}">{escape(text("console.portal_public"))}</a></p>'
            + f"<h2>{escape(text('console.place_title'))}</h2><p>{escape(text('console.place_lead'))}</p>"
            + data_table(text("console.place_title"), head, rows, 4)
            + f'<ul class="plain">{edit}</ul>'
            + f"<h2>{escape(text('portal.figures'))}</h2><p>{escape(text('console.publish_lead'))}</p>"
            + published_table(text, await list_published(sql, town.id))
            + publish
            + f"<h2>{escape(text('portal.embed'))}</h2><p>{escape(text('portal.embed_lead'))}</p>"
            + f'<pre class="snippet" tabindex="0">{escape(embed)}</pre>'
        )
        return self._page(text, found, town, request, "console.portal", body)

    async def shop(self, request: Request) -> Response:
        """The form for one shop's place, filled with what is stored."""
        opened = await self._open(request)
        if isinstance(opened, Response):
            return opened
        text, found, town = opened
        try:
            place = await get_place(reader(), ascii_int(request.query_params.get("shop", "")) or -1)
        except DomainError:
            place = None
        if place is None or place.municipality_code != town.code:
            return RedirectResponse(f"/console/portal?{_query(text, town)}", 303)
        return self._shop_page(request, text, found, town, place, _values(place), None)

    def _shop_page(
        self,
        request: Request,
        text: Text,
        found: SessionActor,
        town: MunicipalityView,
        place: Place,
        values: dict[str, str],
        problem: Problem | None,
    ) -> Response:
        hints = {
            "kana": text("console.place_kana_hint"),
            "address": text("console.place_address_hint"),
            "latitude": text("console.place_position_hint"),
            "openingHours": text("console.place_hours_hint"),
            "url": text("console.place_url_hint"),
        }
        inputs = "".join(
            field(
                f"place-{name}",
                text(key),
                name=name,
                value=values.get(name, ""),
                hint=hints.get(name, ""),
                problem=problem if problem is not None and problem.field == f"place-{name}" else None,
                attrs=attrs,
            )
            for name, key, attrs in FIELDS
        )
        ticked = " checked" if values.get("scansVouchers") == "yes" else ""
        scans = (
            '<label class="choice"><input type="checkbox" class="check" name="scansVouchers"'
            f' value="yes"{ticked}> {escape(text("console.place_scans"))}</label>'
        )
        form = _form(
            text,
            "/console/portal/shop",
            town,
            f'<input type="hidden" name="shop" value="{place.id}">'
            + inputs
            + scans
            + button(text("console.save")),
        )
        summary = error_summary(text("console.place_problem"), [problem] if problem else [])
        back = f"/console/portal?{_query(text, town)}"
        body = (
            summary
            + f"<h2>{escape(place.name)}</h2>"
            + form
            + f'<p><a href="{escape(back)}">{escape(text("console.portal_back"))}</a></p>'
        )
        response = self._page(text, found, town, request, "console.portal", body)
        if problem is not None:
            response.status_code = 400
        return response

    async def save_shop(self, request: Request) -> Response:
        text = Text(language(request))
        posted = await self.pages.posted(request, self.admin)
        if posted is None:
            return RedirectResponse(f"/console/signin?lang={text.lang}", status_code=303)
        found, town, form = posted
        shop_id = ascii_int(form.get("shop", "")) or -1
        try:
            await set_shop_place(found.actor, shop_id, place_from_form(form), self.pages.clock.now())
        except DomainError as error:
            try:
                place = await get_place(reader(), shop_id)
            except DomainError:
                place = None
            if place is None or place.municipality_code != town.code:
                query = _query(text, town, said="error.NOT_FOUND")
                return RedirectResponse(f"/console/portal?{query}", status_code=303)
            problem = Problem(f"place-{error.field or 'address'}", text.error(error))
            return self._shop_page(request, text, found, town, place, form, problem)
        query = _query(text, town, said="place_saved")
        return RedirectResponse(f"/console/portal?{query}", status_code=303)

    async def publish(self, request: Request) -> Response:
        async def act(found: SessionActor, town: MunicipalityView, form: dict[str, str]) -> str:
            if form.get("confirm") != "yes":
                return "confirm"
            await publish_monthly_figures(
                found.actor, town.code, form.get("month", "").strip(), self.pages.clock.now()
            )
            return "published"

        return await self._act(request, act)
