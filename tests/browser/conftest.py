"""Browser tests: Debian's Chromium driven by Playwright at a phone's viewport, against a real server.

The server is a separate uvicorn process on its own SQLite database, loaded with `mykey demo seed`.
Without /usr/bin/chromium the tests skip with a reason, unless REQUIRE_BROWSER=1 (set by .ci/run).
"""

import io
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.async_api import Browser, Page, async_playwright

from domain.vouchers.qr import qr_png
from tests.servers import Site, seeded_site

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 360, "height": 640}
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def browser_env() -> dict[str, str]:
    """Chromium's environment: the suite's, less libfaketime (CI runs these tests under faketime to
    prove they pass on any date; Chromium's own threads hang under it). The pages' times come from
    the server, whose clock is the faked one; cookies carry Max-Age, never a date."""
    skip = {"LD_PRELOAD", "FAKETIME"}
    return {k: v for k, v in os.environ.items() if k not in skip and not k.startswith("FAKETIME_")}


def _need_browser() -> None:
    missing = [str(p) for p in (Path(CHROMIUM), AXE) if not p.exists()]
    if missing:
        reason = f"browser tests need {', '.join(missing)} (apt-get install chromium; npm ci)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture(scope="session")
async def site(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Site]:
    _need_browser()
    async with seeded_site(tmp_path_factory.mktemp("browser-var")) as seeded:
        yield seeded


@pytest.fixture(scope="session")
async def browser(site: Site) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=BROWSER_ARGS,
            env=browser_env(),
        )
        yield launched
        await launched.close()


@pytest.fixture
async def phone(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    page = await context.new_page()
    yield page
    await context.close()


async def serious_violations(page: Page) -> list[str]:
    """axe-core's findings of any impact on the page as it is now (WCAG 2.1 A and AA rules, and axe's
    best practices: landmarks, headings, region)."""
    # evaluated through the DevTools protocol: the page's CSP (no inline script) is left in force
    await page.evaluate(AXE.read_text() + "\n;0")
    rules = "{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'best-practice']}}"
    result = await page.evaluate(f"async () => await axe.run(document, {rules})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


async def error_summary_has_focus(page: Page) -> bool:
    """True once the page has moved focus to its error summary. A summary the server drew takes it by
    ``autofocus``, which the browser applies at its next rendering step, not when the element is
    parsed: read focus the instant the summary exists and a busy machine sees it not yet there."""
    await page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('error-summary')", timeout=5000
    )
    return True


async def screenshot(page: Page, name: str) -> None:
    """With MYKEY_SCREENSHOTS=1, keep the page as docs/screenshots/<name>.png (for the README)."""
    if os.environ.get("MYKEY_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def camera_video(text: str | None, path: Path) -> None:
    """A Y4M video (what Chromium's fake camera plays) showing the QR code of ``text`` (None: an
    empty counter, nothing to read)."""
    frame = Image.new("L", (640, 480), 255)
    if text is not None:
        code = Image.open(io.BytesIO(qr_png(text))).convert("L").resize((400, 400), Image.NEAREST)
        frame.paste(code, (120, 40))
    chroma = bytes([128]) * (320 * 240)
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + frame.tobytes() + chroma + chroma)


@asynccontextmanager
async def shop_with_camera(
    site: Site, qr_text: str | None, folder: Path, camera: bool = True, lang: str = "ja"
) -> AsyncIterator[Page]:
    """The demo shop's phone, signed in on /shop, its (fake) camera filming the QR code of ``qr_text``
    (``camera=False``: a phone whose camera is refused)."""
    video = folder / "voucher.y4m"
    camera_video(qr_text, video)
    password = json.loads((site.var / "demo" / "state.json").read_text())["passwords"]["shop1-141305"]
    fake_camera = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    if not camera:
        fake_camera = ["--use-fake-device-for-media-stream", "--deny-permission-prompts"]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*BROWSER_ARGS, *fake_camera], env=browser_env()
        )
        context = await browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        if camera:
            await context.grant_permissions(["camera"], origin=site.url)
        phone = await context.new_page()
        await phone.goto(site.url + f"/shop/signin?lang={lang}")
        await phone.fill("#login", "shop1-141305")
        await phone.fill("#pw", password)
        await phone.click("button[type=submit]")
        await phone.wait_for_url("**/shop?**")
        try:
            yield phone
        finally:
            await browser.close()


async def partner_token(client: httpx.AsyncClient, partner: dict[str, str]) -> str:
    """A demo partner's client-credentials token, for a test to act as the partner's server."""
    answer = await client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(partner["clientId"], partner["clientSecret"]),
    )
    return str(answer.json()["access_token"])
