"""Every answer carries the security headers; bodies are bounded; page forms come from this site;
/metrics is not public."""

import dataclasses

import httpx
import pytest

from api.app import create_app
from tests.integration.identity.people import PASSWORD

PAGES = ["/", "/signin", "/register", "/shop/signin", "/counter", "/healthz", "/static/app.css", "/nowhere"]


@pytest.mark.parametrize("path", PAGES)
async def test_every_answer_carries_the_security_headers(api, path):
    response = await api.get(path)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers  # plain http outside production


async def test_the_camera_is_the_shop_pages_alone_and_graphql_answers_have_headers_too(api, db):
    shop = await api.get("/shop")
    assert "camera=(self)" in shop.headers["permissions-policy"]
    answer = await api.post("/graphql", json={"query": "{ viewer { role } }"})
    assert answer.headers["x-content-type-options"] == "nosniff"


async def test_production_adds_hsts(db, clock):
    settings = dataclasses.replace(db.settings, environment="production")
    app = create_app(settings, clock, manage_database=False)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="https://testserver"
    ) as client:
        response = await client.get("/healthz")
    assert response.headers["strict-transport-security"].startswith("max-age=")


async def test_pages_hold_no_inline_script_or_style(api, town):
    await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    for path in ["/", "/signin", "/me", "/register", "/counter", "/shop/signin"]:
        html = (await api.get(path)).text
        assert "<script>" not in html and " style=" not in html and "<style" not in html, path


async def test_bodies_past_the_bound_are_refused_with_413(api, db):
    big = "x" * (db.settings.max_body_bytes + 1)
    declared = await api.post("/graphql", content=big, headers={"content-type": "application/json"})
    assert declared.status_code == 413 and "at most" in declared.text

    async def chunks():
        for _ in range(db.settings.max_body_bytes // 65536 + 2):
            yield b"y" * 65536

    streamed = await api.post(
        "/signin", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413


async def test_a_sign_in_posted_from_another_site_is_refused(api, town):
    form = {"myKeyId": town.resident.my_key_id, "password": PASSWORD}
    foreign = await api.post("/signin", data=form, headers={"origin": "https://evil.example"})
    assert foreign.status_code == 403 and "another site" in foreign.text
    assert "set-cookie" not in foreign.headers
    cross = await api.post("/signin", data=form, headers={"sec-fetch-site": "cross-site"})
    assert cross.status_code == 403
    opaque = await api.post("/signin", data=form, headers={"origin": "null"})  # a sandboxed frame
    assert opaque.status_code == 403
    own = await api.post("/signin", data=form, headers={"origin": "http://testserver"})
    assert own.status_code == 303


async def test_sign_out_ends_the_session_or_says_it_could_not(api, town):
    await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    token = api.cookies.get("mykey_session")
    unconfirmed = await api.post("/signout", data={})
    assert unconfirmed.status_code == 403 and 'action="/signout"' in unconfirmed.text
    assert (
        await api.get("/me")
    ).status_code == 200  # still signed in, and told so: not a silent half-sign-out
    done = await api.post("/signout", data={}, headers={"origin": "http://testserver"})
    assert done.status_code == 303
    api.cookies.set("mykey_session", token)
    assert (await api.get("/me")).status_code == 303  # the session itself has ended


async def test_metrics_answer_only_the_allowed_addresses_or_the_token(db, clock):
    settings = dataclasses.replace(db.settings, metrics_token="scrape-me-0123456789")
    app = create_app(settings, clock, manage_database=False)
    outside = httpx.ASGITransport(app=app, client=("203.0.113.5", 40000))
    async with httpx.AsyncClient(transport=outside, base_url="http://testserver") as client:
        assert (await client.get("/metrics")).status_code == 404
        wrong = await client.get("/metrics", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 404
        right = await client.get("/metrics", headers={"authorization": "Bearer scrape-me-0123456789"})
        assert right.status_code == 200 and "mykey_http_requests" in right.text
