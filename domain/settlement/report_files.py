"""The monthly report as a spreadsheet (CSV: UTF-8 with BOM, CRLF) and as charts (SVG drawn here).

The SVG is plain markup with every text escaped, no script and no style element (presentation
attributes only, so the site's CSP admits it), safe to serve as an image.
"""

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from domain.auth.actor import Actor
from domain.settlement.exports import spreadsheet_safe
from domain.settlement.reports import MonthlyReport, monthly_report

SOURCE_NAMES = {
    "PARTNER": "応援ポイント交換",
    "ADMINISTRATIVE": "行政ポイント",
    "PREMIUM": "プレミアム",
    "PRINTED_VOUCHERS": "印刷したポイント券",
    "REFUNDS": "注文取消による返還",
}
USE_NAMES = {
    "SHOPS": "店舗で利用",
    "EVENT_SHOPS": "保有型イベント（加盟店で利用）",
    "ONLINE": "オンライン注文",
    "DONATIONS": "寄付型イベントへの寄付",
}
FUNDER_NAMES = {
    "PARTNER": "パートナー",
    "MUNICIPALITY": "自治体予算",
    "PREMIUM": "プレミアム",
    "DONATION": "寄附",
}


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content: bytes
    media_type: str


def report_rows(r: MonthlyReport) -> list[list[str | int]]:
    rows: list[list[str | int]] = [
        ["自治体", f"{r.municipality_name} ({r.municipality_code})"],
        ["対象月", r.month + ("" if r.complete else " (途中)")],
        [],
        ["項目", "件数", "人数", "ポイント"],
        ["月初残高", "", "", r.opening_points],
        ["発行", r.issued.entries, r.issued.residents, r.issued.points],
        ["利用", r.used.entries, r.used.residents, r.used.points],
        ["失効", r.expired.entries, r.expired.residents, r.expired.points],
        ["月末残高", "", "", r.closing_points],
        [],
        ["発行元", "ID", "名称", "件数", "人数", "ポイント"],
    ]
    rows += [
        [SOURCE_NAMES[s.source], s.ref, spreadsheet_safe(s.name), s.entries, s.residents, s.points]
        for s in r.by_source
    ]
    rows += [[], ["利用店舗ID", "店舗名", "店舗の自治体", "件数", "ポイント"]]
    rows += [
        [s.shop_id, spreadsheet_safe(s.name), s.municipality_code, s.entries, s.points] for s in r.by_shop
    ]
    rows += [[], ["用途", "ポイントID", "名称", "件数", "人数", "ポイント"]]
    rows += [
        [USE_NAMES[u.use], u.program_id, spreadsheet_safe(u.name), u.entries, u.residents, u.points]
        for u in r.by_use
    ]
    rows += [
        [],
        ["原資", "原資ID", "名称", "月末残高", "当月失効", *(f"{m} 失効予定" for m in r.forecast_months)],
    ]
    rows += [
        [
            FUNDER_NAMES.get(f.funder_kind, f.funder_kind),
            f.funder_ref,
            spreadsheet_safe(f.name),
            f.outstanding,
            f.expired,
            *f.lapsing,
        ]
        for f in r.by_funder
    ]
    return rows


def report_csv(r: MonthlyReport) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(report_rows(r))
    return out.getvalue().encode("utf-8-sig")


WIDTH, BAR_LEFT, BAR_WIDTH, ROW = 640, 190, 330, 28


def _bars(title: str, items: list[tuple[str, int, str]], top: int) -> tuple[list[str], int]:
    """A titled horizontal bar chart: (label, value, colour) per bar, scaled to the largest."""
    parts = [f'<text x="16" y="{top + 18}" font-size="15" font-weight="bold">{escape(title)}</text>']
    largest = max((abs(v) for _, v, _ in items), default=0) or 1
    y = top + 30
    for label, value, colour in items:
        width = round(BAR_WIDTH * abs(value) / largest)
        parts.append(f'<text x="{BAR_LEFT - 8}" y="{y + 17}" text-anchor="end">{escape(label[:18])}</text>')
        parts.append(f'<rect x="{BAR_LEFT}" y="{y + 4}" width="{width}" height="{ROW - 8}" fill="{colour}"/>')
        parts.append(f'<text x="{BAR_LEFT + width + 6}" y="{y + 17}">{value:,}</text>')
        y += ROW
    if not items:
        parts.append(f'<text x="{BAR_LEFT}" y="{y + 17}">なし</text>')
        y += ROW
    return parts, y + 12


def report_svg(r: MonthlyReport) -> str:
    """The month at a glance: the balance's movement, issued points by source, the expiry forecast."""
    flow = [
        ("月初残高", r.opening_points, "#6b7280"),
        ("発行", r.issued.points, "#15803d"),
        ("利用", r.used.points, "#1d4ed8"),
        ("失効", r.expired.points, "#b91c1c"),
        ("月末残高", r.closing_points, "#6b7280"),
    ]
    sources = [(f"{SOURCE_NAMES[s.source]} {s.name}", s.points, "#15803d") for s in r.by_source]
    lapsing = [
        (m, sum(f.lapsing[i] for f in r.by_funder), "#b45309") for i, m in enumerate(r.forecast_months)
    ]
    body, y = _bars(f"{r.municipality_name} {r.month} ポイントの動き", flow, 8)
    more, y = _bars("発行元別", sources, y)
    body += more
    more, y = _bars("今後3か月の失効予定", lapsing, y)
    body += more
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" viewBox="0 0 {WIDTH} {y}"'
        f' role="img" aria-label="{escape(r.municipality_name)} {r.month}">'
        f'<rect width="{WIDTH}" height="{y}" fill="#fff"/>'
        '<g font-family="IPAGothic, sans-serif" font-size="13" fill="#111">' + "".join(body) + "</g></svg>"
    )


async def report_file(actor: Actor | None, code: str, month: str, kind: str, now: datetime) -> ReportFile:
    """``report-CODE-YYYY-MM.csv`` or ``.svg`` (the municipality's admins, or the operator)."""
    r = await monthly_report(actor, code, month, now)
    if kind == "svg":
        return ReportFile(
            f"report-{r.municipality_code}-{r.month}.svg", report_svg(r).encode(), "image/svg+xml"
        )
    return ReportFile(f"report-{r.municipality_code}-{r.month}.csv", report_csv(r), "text/csv; charset=utf-8")
