"""Hand-out rendering: PDF with reportlab (a TrueType CJK font embedded as a subset), XLSX with openpyxl.

reportlab runs without a browser and embeds TrueType fonts; it cannot read CFF-flavoured OpenType
(Debian's fonts-noto-cjk), so the font is a TrueType one: WenQuanYi Zen Hei (``fonts-wqy-zenhei``,
installed by ``make install-fonts``), WenQuanYi Micro Hei or AR PL, or any path in ``FINMATCH_CJK_FONT``.
The page content is shrunk to fit one A4 page.
"""

from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from finmatch.exceptions import FinmatchError, FontMissingError
from finmatch.handout.content import Handout
from finmatch.packaging.explain import pct

FONT_NAME = "FinmatchCJK"
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf",
)
MEDIA = {"pdf": "application/pdf", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def media_type(fmt: str) -> str:
    return MEDIA[fmt]


def find_font() -> Path:
    env = os.environ.get("FINMATCH_CJK_FONT")
    for raw in ([env] if env else []) + list(FONT_CANDIDATES):
        path = Path(raw)
        if path.is_file():
            return path
    raise FontMissingError("生成 PDF 需要 TrueType 中文字体：请安装 fonts-wqy-zenhei（make install-fonts），"
                           "或用环境变量 FINMATCH_CJK_FONT 指定 .ttf/.ttc 字体文件路径")


@lru_cache(maxsize=1)
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = find_font()
    kwargs = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), **kwargs))
    return FONT_NAME


def handout_bytes(h: Handout | list[Handout], fmt: str) -> bytes:
    """One hand-out, or a list of them (one page / one sheet each)."""
    items = h if isinstance(h, list) else [h]
    if fmt == "pdf":
        return handout_pdf(items)
    if fmt == "xlsx":
        return handout_xlsx(items)
    raise FinmatchError(f"不支持的格式 {fmt}，可选 pdf、xlsx", field="fmt")


def _parts_rows(entry: dict[str, Any]) -> list[list[str]]:
    names = {p["product_id"]: p["product_name"] for p in entry["parts"]}
    rows = []
    for p in entry["parts"]:
        amount = "—" if p["family"] == "subsidy" and not p["cash"] else f"{p['amount_wan']:,}"
        terms = "—" if p.get("rate_pct") is None else f"{p['rate_pct']:g}%"
        rows.append([p["family_label"], p["product_name"], p.get("institution_name") or p["institution_id"], amount,
                     names.get(p.get("supports") or "", "—"), terms, f"{p['probability'] * 100:.0f}%"])
    return rows


def _summary(entry: dict[str, Any]) -> str:
    status = {"covered": "全部覆盖", "partial": "部分覆盖", "none": "无法组合"}[entry["status"]]
    rate = "—" if entry.get("cost_rate") is None else f"{entry['cost_rate'] * 100:.2f}%"
    cost = "不公开" if entry.get("annual_cost_wan") is None else f"{entry['annual_cost_wan']:,.2f} 万元"
    return (f"{entry['objective_label']} · {status}：融资需求 {entry['need_wan']:,} 万元，已覆盖 {entry['covered_wan']:,} 万元，"
            f"缺口 {entry['uncovered_wan']:,} 万元；年综合成本 {cost}（综合费率 {rate}），"
            f"全部落地概率 {pct(entry['probability'])}，股权稀释 {pct(entry['equity_share'])}")


def handout_pdf(handouts: list[Handout]) -> bytes:
    """One A4 page per project."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepInFrame,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = _register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=base, fontSize=14, leading=18, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=base, fontSize=10.5, leading=14, spaceBefore=5, spaceAfter=2,
                        textColor=colors.HexColor("#1f4e79"))
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#555555"))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title="项目对接资料", author="finmatch")
    width, height = A4[0] - 28 * mm, A4[1] - 24 * mm
    grid = TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 8),
                       ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bbbbbb")),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                       ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def table(rows: list[list[str]], widths: list[float]) -> Table:
        cells = [[Paragraph(str(c), base) for c in r] for r in rows]
        t = Table(cells, colWidths=[w * width for w in widths], repeatRows=1)
        t.setStyle(grid)
        return t

    story: list[Any] = []
    for k, h in enumerate(handouts):
        e = h.package
        page: list[Any] = [Paragraph(f"项目对接资料 · {h.title}", h1), Paragraph(h.generated, small)]
        if h.event_name:
            page.append(Paragraph(f"对接活动：{h.event_name}", base))
        page.append(Paragraph("项目概况", h2))
        prof = [[f"{a}：{b}" for a, b in h.profile[i:i + 3]] for i in range(0, len(h.profile), 3)]
        prof = [r + [""] * (3 - len(r)) for r in prof]
        pt = Table([[Paragraph(c, base) for c in r] for r in prof], colWidths=[width / 3] * 3)
        page.append(pt)
        page.append(Paragraph("推荐金融产品（按大类）", h2))
        page.append(table([["大类", "产品", "机构", "推荐理由"], *[list(r) for r in h.recommended]] if h.recommended
                          else [["大类", "产品", "机构", "推荐理由"], ["—", "没有符合准入条件的产品", "", ""]],
                          [0.12, 0.22, 0.24, 0.42]))
        page.append(Paragraph("融资方案（投贷保担补）", h2))
        page.append(Paragraph(_summary(e), base))
        page.append(Spacer(1, 2))
        if e["parts"]:
            page.append(table([["类别", "产品", "机构", "金额(万元)", "支持对象", "利率/费率", "对接概率"],
                               *_parts_rows(e)], [0.11, 0.2, 0.22, 0.11, 0.16, 0.1, 0.1]))
        page.append(Paragraph("申请顺序", h2))
        page.extend(Paragraph(s, base) for s in e["steps"][:8])
        reasons = [r for r in e["reasons"] if r][:6]
        if reasons:
            page.append(Paragraph("说明", h2))
            page.extend(Paragraph("· " + r, base) for r in reasons)
        page.append(Paragraph("活动洽谈安排", h2))
        if h.meetings:
            page.append(table([["时间", "桌号", "机构"], *[list(m) for m in h.meetings]], [0.25, 0.2, 0.55]))
        else:
            page.append(Paragraph("暂无已排定的洽谈。", base))
        if e.get("assumptions"):
            page.append(Spacer(1, 3))
            page.append(Paragraph("估算说明：" + "；".join(e["assumptions"]), small))
        story.append(KeepInFrame(width, height, page, mode="shrink"))
        if k < len(handouts) - 1:
            story.append(PageBreak())
    doc.build(story)
    return buf.getvalue()


def handout_xlsx(handouts: list[Handout]) -> bytes:
    """One sheet per project, the same sections as the PDF."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    bold, head = Font(bold=True), PatternFill("solid", fgColor="E8EEF6")
    for h in handouts:
        ws = wb.create_sheet(title=h.project_id[:31])
        ws.append([f"项目对接资料 · {h.title}"])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([h.generated])
        if h.event_name:
            ws.append([f"对接活动：{h.event_name}"])

        def section(title: str, header: list[str], rows: list[list[Any]], ws: Any = ws) -> None:
            ws.append([])
            ws.append([title])
            ws.cell(ws.max_row, 1).font = bold
            ws.append(header)
            for c in ws[ws.max_row]:
                c.font, c.fill = bold, head
            for r in rows:
                ws.append(r)

        section("项目概况", ["项目", "内容"], [list(p) for p in h.profile])
        section("推荐金融产品（按大类）", ["大类", "产品", "机构", "推荐理由"], [list(r) for r in h.recommended])
        e = h.package
        ws.append([])
        ws.append(["融资方案（投贷保担补）"])
        ws.cell(ws.max_row, 1).font = bold
        ws.append([_summary(e)])
        section("方案构成", ["类别", "产品", "机构", "金额(万元)", "支持对象", "利率/费率", "对接概率"], _parts_rows(e))
        section("申请顺序", ["步骤"], [[s] for s in e["steps"]])
        section("说明", ["说明"], [[r] for r in e["reasons"] if r])
        section("活动洽谈安排", ["时间", "桌号", "机构"], [list(m) for m in h.meetings] or [["暂无已排定的洽谈"]])
        if e.get("assumptions"):
            section("估算说明", ["说明"], [[a] for a in e["assumptions"]])
        for col, w in zip("ABCDEFG", (16, 28, 30, 40, 18, 12, 10), strict=True):
            ws.column_dimensions[col].width = w
        for row in ws.iter_rows():
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
