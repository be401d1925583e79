"""The exchange widget on a partner's page served from another origin: the resident signs in and confirms
in MyKey's popup, the partner's page receives the code (from MyKey's origin, for its state only), the
partner's server redeems it with the PKCE verifier and the points arrive. With the popup out of reach
(a phone's small screen), the whole window goes to MyKey and comes back to the partner's return page."""

import base64
import functools
import hashlib
import http.server
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.browser.conftest import serious_violations
from tests.servers import free_port

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ANA マイル交換</title></head>
<body><main><h1>マイルをマイキーポイントに</h1>
<script src="{mykey}/widget.js" data-client-id="{client}" data-redirect-uri="{redirect}" data-points="3000"
 data-ref="{ref}" data-state="{state}" data-code-challenge="{challenge}" data-lang="ja"></script>
<p id="result"></p>
<script src="listen.js"></script></main></body></html>"""
LISTEN = """document.addEventListener("mykey:authorized", (e) => {
  document.getElementById("result").textContent = e.detail.code + " " + e.detail.state;
});"""
RETURN = "<!doctype html><html><head><title>戻り</title></head><body><p>ok</p></body></html>"


@contextmanager
def partner_site(folder: Path) -> Iterator[str]:
    """The partner's own pages, on another origin (a plain static server on another port)."""
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


async def _register(site, partner_origin: str) -> tuple[dict[str, str], str]:
    partner = site.demo["partners"][1]
    redirect = f"{partner_origin}/return.html"
    async with httpx.AsyncClient(base_url=site.url) as client:
        answer = await client.post(
            "/graphql",
            json={
                "query": "mutation($c: String!, $u: [String!]!) { setPartnerRedirectUris(clientId: $c,"
                " redirectUris: $u) { redirectUris } }",
                "variables": {"c": partner["clientId"], "u": [redirect]},
            },
            headers={"Authorization": f"Bearer {site.demo['operator']['token']}"},
        )
    assert answer.json()["data"]["setPartnerRedirectUris"]["redirectUris"] == [redirect]
    return partner, redirect


async def _redeem(site, partner, code: str, redirect: str, verifier: str) -> dict[str, object]:
    async with httpx.AsyncClient(base_url=site.url) as client:
        answer = await client.post(
            "/oauth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
            auth=(partner["clientId"], partner["clientSecret"]),
        )
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["exchange"])


def _write_pages(folder: Path, site, partner, redirect: str, ref: str, state: str, challenge: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    values = {"mykey": site.url, "client": partner["clientId"], "redirect": redirect}
    values |= {"ref": ref, "state": state, "challenge": challenge}
    (folder / "index.html").write_text(
        PAGE.format(**{k: escape(v) for k, v in values.items()}), encoding="utf-8"
    )
    (folder / "listen.js").write_text(LISTEN, encoding="utf-8")
    (folder / "return.html").write_text(RETURN, encoding="utf-8")


async def _sign_in_and_confirm(window, site) -> int:
    """In MyKey's window: sign in with the password, then confirm. Returns the taps."""
    resident = site.demo["residents"][1]
    await window.wait_for_selector("a[href^='/signin?']")
    assert await serious_violations(window) == []
    await window.click("a[href^='/signin?']")
    await window.fill("#id", resident["myKeyId"])
    await window.fill("#pw", resident["password"])
    await window.click("form[action^='/signin'] button[type=submit]")
    await window.wait_for_selector("form[action^='/oauth/authorize'] button")
    assert await serious_violations(window) == []
    await window.click("form[action^='/oauth/authorize'] button")
    return 5  # sign in, two fields, submit, confirm


async def test_the_widget_in_a_popup_hands_the_code_to_the_partner_page_only(site, browser, tmp_path):
    with partner_site(tmp_path / "partner") as partner_origin:
        partner, redirect = await _register(site, partner_origin)
        verifier, challenge = _pkce()
        state = secrets.token_urlsafe(16)
        _write_pages(tmp_path / "partner", site, partner, redirect, "WIDGET-POPUP-1", state, challenge)
        context = await browser.new_context(viewport={"width": 1280, "height": 800})
        page = await context.new_page()
        await page.goto(f"{partner_origin}/index.html")
        async with page.expect_popup() as opened:
            await page.click("button.mykey-exchange")
        popup = await opened.value
        taps = 1 + await _sign_in_and_confirm(popup, site)
        await page.wait_for_function("() => document.getElementById('result').textContent.length > 0")
        code, got_state = (await page.inner_text("#result")).split(" ")
        assert got_state == state
        exchange = await _redeem(site, partner, code, redirect, verifier)
        assert exchange["externalRef"] == "WIDGET-POPUP-1" and exchange["points"] == exchange["yen"]
        print(f"\nwidget, popup: {taps} taps from the partner's button to the code on its page")
        await context.close()


async def test_the_widget_on_a_phone_goes_through_the_whole_window(site, browser, tmp_path):
    with partner_site(tmp_path / "partner") as partner_origin:
        partner, redirect = await _register(site, partner_origin)
        verifier, challenge = _pkce()
        state = secrets.token_urlsafe(16)
        _write_pages(tmp_path / "partner", site, partner, redirect, "WIDGET-PAGE-1", state, challenge)
        context = await browser.new_context(
            viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True
        )
        page = await context.new_page()
        await page.goto(f"{partner_origin}/index.html")
        await page.click("button.mykey-exchange")
        await page.wait_for_url(f"{site.url}/oauth/authorize?**")
        taps = 1 + await _sign_in_and_confirm(page, site)
        await page.wait_for_url(f"{redirect}?**")
        query = parse_qs(urlsplit(page.url).query)
        assert query["state"] == [state]
        exchange = await _redeem(site, partner, query["code"][0], redirect, verifier)
        assert exchange["externalRef"] == "WIDGET-PAGE-1"
        print(f"\nwidget, whole window: {taps} taps from the partner's button back to its return page")
        await context.close()


async def test_mykey_pages_refuse_to_be_framed_by_the_partner(site):
    async with httpx.AsyncClient(base_url=site.url) as client:
        signin = await client.get("/signin")
    assert (
        signin.headers["x-frame-options"] == "DENY"
        and "frame-ancestors 'none'" in signin.headers["content-security-policy"]
    )
    assert signin.headers["cross-origin-opener-policy"] == "unsafe-none"  # the popup keeps its opener
