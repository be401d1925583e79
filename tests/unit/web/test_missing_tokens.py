"""Without npm the design tokens are not installed: their URL answers 404 (never 500) and pages do not
link them (app.css carries its own values)."""

from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

from web import layout
from web.assets import HashedStatic
from web.i18n import Text


async def test_a_missing_static_folder_is_a_404_not_a_500(tmp_path: Path):
    app = Starlette(
        routes=[Mount("/vendor", app=HashedStatic(directory=tmp_path / "absent", check_dir=False))]
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        answer = await client.get("/vendor/tokens.css")
    assert answer.status_code == 404


def test_pages_link_the_tokens_only_when_installed(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(layout, "DESIGN_TOKENS", tmp_path)
    layout.tokens_installed.cache_clear()
    try:
        bare = layout.page(Text("ja"), "t", "<p>x</p>").body.decode()
        (tmp_path / "tokens.css").write_text(":root{}")
        layout.tokens_installed.cache_clear()
        linked = layout.page(Text("ja"), "t", "<p>x</p>").body.decode()
    finally:
        layout.tokens_installed.cache_clear()
    assert "/vendor/design-tokens/tokens.css" not in bare and "app.css" in bare
    assert "/vendor/design-tokens/tokens.css" in linked
