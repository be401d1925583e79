"""What a phone downloads for each page, gzipped, with its style sheets and scripts (the modules they
import included): every page stays under 100 KB (ux.md). ``-s`` prints the table the README gives."""

import re

import pytest

PAGES = [
    "/",
    "/signin",
    "/register",
    "/counter",
    "/terminal/pay",
    "/terminal/print",
    "/terminal/grant",
    "/shop/signin",
    "/privacy",
    "/nowhere",
]
LINKED = re.compile(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"')
IMPORTS = re.compile(r'from "(/static/[^"]+)"')
GZIP = {"accept-encoding": "gzip", "accept": "text/html"}


async def _weight(api, url, seen):
    response = await api.get(url.replace("&amp;", "&"), headers=GZIP)
    total = response.num_bytes_downloaded
    for linked in IMPORTS.findall(response.text) if ".js" in url else []:
        if linked not in seen:
            seen.add(linked)
            total += await _weight(api, linked, seen)
    return total


@pytest.mark.parametrize("path", PAGES)
async def test_each_page_with_its_styles_and_scripts_is_light(api, db, path):
    page = await api.get(path, headers=GZIP)
    assert page.headers.get("content-encoding") == "gzip"
    seen: set[str] = set()
    assets = 0
    for linked in LINKED.findall(page.text):
        if linked not in seen:
            seen.add(linked)
            assets += await _weight(api, linked, seen)
    total = page.num_bytes_downloaded + assets
    print(f"\nWEIGHT {path} html={page.num_bytes_downloaded} assets={assets} total={total}")
    assert total < 100 * 1024


async def test_my_page_and_the_shop_page_are_light_too(api, people, town):
    from tests.integration.graphql.spending.test_vouchers import LOGIN_CLERK
    from tests.integration.identity.people import PASSWORD

    await api.post("/signin", data={"myKeyId": town.resident.my_key_id, "password": PASSWORD})
    for path in ("/me", "/me/settings"):
        page = await api.get(path, headers=GZIP)
        seen: set[str] = set()
        assets = sum([await _weight(api, a, seen) for a in dict.fromkeys(LINKED.findall(page.text))])
        print(f"\nWEIGHT {path} html={page.num_bytes_downloaded} assets={assets}")
        assert page.status_code == 200 and page.num_bytes_downloaded + assets < 100 * 1024
    await api.post("/graphql", json={"query": LOGIN_CLERK})
    shop = await api.get("/shop", headers=GZIP)
    seen = set()
    assets = sum([await _weight(api, a, seen) for a in dict.fromkeys(LINKED.findall(shop.text))])
    print(f"\nWEIGHT /shop html={shop.num_bytes_downloaded} assets={assets}")
    assert shop.status_code == 200 and shop.num_bytes_downloaded + assets < 100 * 1024
