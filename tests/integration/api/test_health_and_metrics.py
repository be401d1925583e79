"""/healthz and /metrics."""

from api import routes


async def test_healthz_reports_the_database(api):
    response = await api.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


async def test_healthz_is_503_when_the_database_does_not_answer(api, monkeypatch):
    class Down:
        async def fetchval(self, *args):
            raise ConnectionRefusedError("127.0.0.1:5432")

    monkeypatch.setattr(routes, "reader", Down)
    response = await api.get("/healthz")
    assert (response.status_code, response.json()) == (503, {"status": "error", "database": "unreachable"})


async def test_metrics_count_requests_in_prometheus_text(api):
    await api.get("/healthz")
    response = await api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'mykey_http_requests_total{method="GET",route="/healthz",status="200"}' in response.text


async def test_home_page_is_japanese_first(api):
    response = await api.get("/")
    assert response.status_code == 200
    assert '<html lang="ja">' in response.text
