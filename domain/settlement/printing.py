"""A shop's settlement statement on A4, to print or to file (fpdf2, IPA Gothic from Debian's
``fonts-ipafont-gothic``): who pays whom, for which period, program by program, and the run's digest
so that anyone can check the paper against the system."""

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from domain.auth.actor import Actor
from domain.auth.permissions import Permission
from domain.errors import DomainError, ErrorCode
from domain.settlement.queries import access_settlement_by_id
from domain.sql import reader

FONTS = (
    Path("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf"),
    Path("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf"),
)


@dataclass(frozen=True)
class _Head:
    municipality: str
    shop: str
    points: int
    fee_yen: int
    yen: int
    carried_in_yen: int
    payable_yen: int
    carried_out_yen: int


@dataclass(frozen=True)
class _Row:
    program: str
    points: int
    yen: int


@dataclass(frozen=True)
class PrintedStatement:
    filename: str
    content: bytes  # a PDF


def _font() -> Path:
    for path in FONTS:
        if path.exists():
            return path
    raise RuntimeError("no Japanese font: install Debian's fonts-ipafont-gothic")


async def shop_statement_pdf(actor: Actor | None, settlement_id: int, shop_id: int) -> PrintedStatement:
    sql = reader()
    run = await access_settlement_by_id(actor, Permission.MUNICIPALITY_ADMIN, sql, settlement_id)
    head = await sql.fetchrow_as(
        _Head,
        "SELECT m.name AS municipality, s.name AS shop, t.points, t.fee_yen, t.yen, t.carried_in_yen,"
        " t.payable_yen, t.carried_out_yen FROM settlement_statements t JOIN shops s ON s.id = t.shop_id"
        " JOIN municipalities m ON m.id = s.municipality_id WHERE t.settlement_id = $1 AND t.shop_id = $2",
        settlement_id,
        shop_id,
    )
    if head is None:
        raise DomainError(ErrorCode.NOT_FOUND, "This shop has no statement in this settlement.", "shopId")
    rows = await sql.fetch_as(
        _Row,
        "SELECT g.name AS program, l.points, l.yen FROM settlement_lines l"
        " JOIN programs g ON g.id = l.program_id WHERE l.settlement_id = $1 AND l.shop_id = $2 ORDER BY g.id",
        settlement_id,
        shop_id,
    )
    pdf = FPDF(format="A4")
    pdf.set_title(f"精算明細書 {head.shop}")
    pdf.set_creator("MyKey Points")
    pdf.add_page()
    pdf.add_font("IPAGothic", fname=str(_font()))
    pdf.set_font("IPAGothic", size=18)
    pdf.cell(0, 12, "精算明細書", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("IPAGothic", size=11)
    for label, value in (
        ("支払者", head.municipality),
        ("支払先", head.shop),
        ("対象期間", f"{run.period_start:%Y年%m月%d日} 〜 {run.period_end:%Y年%m月%d日}"),
        ("支払予定日", f"{run.payout_on:%Y年%m月%d日}"),
    ):
        pdf.cell(40, 8, label)
        pdf.cell(0, 8, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    plain_headings = FontFace(emphasis="", fill_color=(235, 235, 235))  # IPA Gothic has no bold face
    with pdf.table(
        col_widths=(90, 40, 40), text_align=("LEFT", "RIGHT", "RIGHT"), headings_style=plain_headings
    ) as table:
        table.row(("プログラム", "ポイント", "金額（円）"))
        for r in rows:
            table.row((r.program, f"{r.points:,}", f"{r.yen:,}"))
    pdf.ln(4)
    for label, yen in (
        ("今期の利用額", head.yen),
        ("前回からの繰越", head.carried_in_yen),
        ("今回のお支払", head.payable_yen),
        ("次回へ繰越", head.carried_out_yen),
    ):
        pdf.cell(60, 8, label)
        pdf.cell(40, 8, f"{yen:,} 円", align="R", new_x="LMARGIN", new_y="NEXT")
    if head.fee_yen:
        pdf.cell(
            0,
            8,
            f"うち商店街ポイント制度の運用経費（1/11）: {head.fee_yen:,} 円",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(6)
    pdf.set_font("IPAGothic", size=8)
    pdf.multi_cell(0, 5, f"精算番号 {run.id} / ダイジェスト {run.digest}")
    return PrintedStatement(f"statement-{run.id}-shop-{shop_id}.pdf", bytes(pdf.output()))
