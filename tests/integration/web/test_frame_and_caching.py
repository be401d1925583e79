"""What every page shares: who runs the service (header and footer), a 404 in the visitor's language,
gzip, static files cached by content hash, and personal pages never stored."""

import re

import pytest

from web.assets import asset


async def test_every_page_names_the_service_its_operator_privacy_terms_and_contact(api):
    for lang, words in (
        ("ja", ("運営:", "個人情報の取り扱い", "利用規約")),
        ("en", ("Run by", "Privacy", "Terms of use")),
    ):
        html = (await api.get(f"/?lang={lang}")).text
        footer = html[html.index('<footer class="site">') :]
        assert all(w in footer for w in words), footer
        assert 'href="mailto:support@mykey-points.invalid"' in footer
        assert '<a class="skip" href="#main">' in html


@pytest.mark.parametrize(
    ("path", "ja", "en"),
    [
        (
            "/privacy",
            "マイナンバー（個人番号）は読み取りも保存もしません",
            "We never read or keep your Individual Number",
        ),
        ("/terms", "ポイント券は一度だけ使えます", "A voucher can be used once"),
    ],
)
async def test_privacy_and_terms_say_what_the_service_keeps_and_promises(api, path, ja, en):
    response = await api.get(path)
    assert response.status_code == 200 and ja in response.text
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert en in (await api.get(f"{path}?lang=en")).text


async def test_a_missing_page_is_a_branded_404_in_the_visitors_language(api):
    ja = await api.get("/nowhere", headers={"accept": "text/html"})
    assert ja.status_code == 404 and "ページが見つかりません" in ja.text and 'href="/?lang=ja"' in ja.text
    en = await api.get("/nowhere?lang=en", headers={"accept": "text/html"})
    assert en.status_code == 404 and "Page not found" in en.text and '<html lang="en">' in en.text
    machine = await api.get("/nowhere", headers={"accept": "application/json"})
    assert machine.status_code == 404 and machine.json()["error"]["code"] == "NOT_FOUND"


async def test_pages_and_static_files_are_gzipped_the_api_is_not(api, db):
    gz = {"accept-encoding": "gzip"}
    page = await api.get("/?lang=ja", headers=gz)
    assert page.headers["content-encoding"] == "gzip"
    style = await api.get(asset("app.css"), headers=gz)
    assert style.headers["content-encoding"] == "gzip"
    answer = await api.post("/graphql", json={"query": "{ viewer { role } }"}, headers=gz)
    assert "content-encoding" not in answer.headers  # tokens beside reflected input: no BREACH


async def test_static_files_named_by_their_hash_are_kept_a_year_others_revalidate(api):
    html = (await api.get("/")).text
    linked = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{12})"', html)
    assert linked, html[:500]
    hashed = await api.get(linked.group(1))
    assert hashed.headers["cache-control"] == "public, max-age=31536000, immutable"
    stale = await api.get("/static/app.css?v=000000000000")
    assert stale.headers["cache-control"] == "no-cache"
    bare = await api.get("/static/app.css")
    assert bare.headers["cache-control"] == "no-cache" and bare.headers["etag"]


async def test_personal_pages_and_api_answers_are_never_stored(api, db):
    for path in ("/me", "/shop", "/signin"):
        assert (await api.get(path)).headers["cache-control"] == "no-store", path
    answer = await api.post("/graphql", json={"query": "{ viewer { role } }"})
    assert answer.headers["cache-control"] == "no-store"
