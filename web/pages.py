"""Server-rendered pages. The first wave of resident, shop and counter pages comes with issue 6."""

from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse

HOME = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:18px/1.6 system-ui,sans-serif;max-width:40rem;
margin:2rem auto;padding:0 1rem;color:#1a1a1c}}
a{{color:#0017c1}}</style></head>
<body><h1>{title}</h1>
<p>マイナンバーカード1枚で、図書館カード・美術館のパス・ポイントカードを。自治体ポイントの共通基盤です。</p>
<p lang="en">One national ID card as your library card, museum pass and point card: a shared point system
for every municipality.</p>
<ul><li><a href="/healthz">稼働状況 / Service status</a></li></ul>
</body></html>"""


async def home(request: Request) -> HTMLResponse:
    return HTMLResponse(HOME.format(title=escape("MyKey Points（マイキーポイント）")))
