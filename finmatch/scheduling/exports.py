"""Agenda exports: XLSX (总表 plus one sheet per institution), CSV (UTF-8 with BOM) and iCalendar.

Every row carries what a participant needs on the day: the event's name, date and venue, the slot
and its Beijing times, the table, both parties, the product discussed and the match as a percentage
(``76.0%``, as the pages show it). All spreadsheet cells go through :func:`cell`, the one place to
sanitise values before they reach a file. The iCalendar text is written by hand (RFC 5545): CRLF
line ends, TEXT values escaped, lines folded at 75 octets without splitting a UTF-8 character. Times
are written in UTC; a naive ``start`` is taken as Beijing time (Asia/Shanghai).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from finmatch.io.formula import neutralise_row, text_cells
from finmatch.scheduling.problem import Agenda, Meeting

HEADERS = ["活动", "日期", "时段", "开始时间", "结束时间", "地点", "洽谈桌号", "项目编号", "项目名称", "机构编号",
           "机构名称", "洽谈产品", "匹配度"]
WIDTHS = (24, 11, 6, 9, 9, 18, 9, 12, 30, 14, 30, 26, 8)
SUMMARY_SHEET = "总表"
BEIJING = ZoneInfo("Asia/Shanghai")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class ExportContext:
    """What the agenda itself does not hold: the event's name, date and venue, and per pair the product
    discussed (``products[(project_id, institution_id)]`` = product name)."""

    event_name: str = "科技金融对接会"
    event_date: date | None = None
    venue: str | None = None
    products: dict[tuple[str, str], str] = field(default_factory=dict)


def percent(score: float) -> str:
    """A match probability as the pages show it: ``0.760417`` → ``76.0%``."""
    return f"{score * 100:.1f}%"


def cell(value: object) -> object:
    """The one place every exported spreadsheet value passes through (CSV and XLSX)."""
    return value


def _date(agenda: Agenda, ctx: ExportContext) -> str:
    day = ctx.event_date or (agenda.start.date() if agenda.start else None)
    return day.isoformat() if day else ""


def _rows(agenda: Agenda, meetings: list[Meeting], names: dict[str, str], ctx: ExportContext) -> list[list[object]]:
    rows = []
    day = _date(agenda, ctx)
    for m in sorted(meetings, key=lambda m: (m.slot, m.table, m.institution_id)):
        begin, end = agenda.slot_times(m.slot)
        rows.append([ctx.event_name, day, m.slot + 1, begin.strftime("%H:%M") if begin else "",
                     end.strftime("%H:%M") if end else "", ctx.venue or "", f"{m.table}号", m.project_id,
                     names.get(m.project_id, ""), m.institution_id, names.get(m.institution_id, ""),
                     ctx.products.get((m.project_id, m.institution_id), ""), percent(m.score)])
    return [[cell(v) for v in row] for row in rows]


def agenda_rows(agenda: Agenda, names: dict[str, str] | None = None,
                context: ExportContext | None = None) -> list[list[object]]:
    """The 总表 rows (slot numbers 1-based, times HH:MM Beijing time), without the header."""
    return _rows(agenda, agenda.meetings, names or {}, context or ExportContext())


def _sheet_title(text: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", text).strip("'")[:31] or "sheet"
    title, k = base, 2
    while title.lower() in used:
        suffix = f"~{k}"
        title, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(title.lower())
    return title


def _write_sheet(sheet, rows: list[list[object]]) -> None:  # type: ignore[no-untyped-def]
    sheet.append([cell(h) for h in HEADERS])
    for row in rows:
        sheet.append(row)
    for c in sheet[1]:
        c.font = Font(bold=True)
        c.alignment = Alignment(horizontal="center")
    for k, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(k)].width = width
    sheet.freeze_panes = "A2"
    text_cells(sheet)  # a name such as "=HYPERLINK(...)" is written as text, never as a formula


def agenda_to_xlsx(agenda: Agenda, path_or_buffer: str | IO[bytes], names: dict[str, str] | None = None,
                   context: ExportContext | None = None, per_institution: bool = True) -> None:
    """Write 总表 and (``per_institution``) one sheet per institution, titled by name, else id."""
    names, ctx = names or {}, context or ExportContext()
    book = Workbook()
    sheet = book.active
    sheet.title = SUMMARY_SHEET
    _write_sheet(sheet, _rows(agenda, agenda.meetings, names, ctx))
    used = {SUMMARY_SHEET.lower()}
    if per_institution:
        for inst, meetings in sorted(agenda.by_institution().items()):
            _write_sheet(book.create_sheet(_sheet_title(names.get(inst) or inst, used)),
                         _rows(agenda, meetings, names, ctx))
    book.save(path_or_buffer)


def agenda_to_csv(agenda: Agenda, names: dict[str, str] | None = None, context: ExportContext | None = None) -> str:
    """The 总表 as CSV text starting with a BOM so Excel on Chinese Windows reads it as UTF-8."""
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(neutralise_row(cell(h) for h in HEADERS))
    writer.writerows(neutralise_row(r) for r in agenda_rows(agenda, names, context))  # no live formulas
    return "\ufeff" + buffer.getvalue()


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Fold one content line into chunks of at most 75 octets (continuations start with a space)."""
    out: list[str] = []
    current: list[str] = []
    size, limit = 0, 75
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            out.append("".join(current))
            current, size, limit = [" "], 1, 75
        current.append(ch)
        size += n
    out.append("".join(current))
    return "\r\n".join(out)


def _utc(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)
    return aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(events: list[dict[str, object]], calendar_name: str, stamp: datetime | None = None) -> str:
    """An iCalendar text from plain event dicts (uid, start, end, summary, location, description)."""
    dtstamp = _utc(stamp or datetime.now(UTC))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//finmatch//scheduling//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(calendar_name)}", "X-WR-TIMEZONE:Asia/Shanghai"]
    for e in events:
        lines += ["BEGIN:VEVENT", f"UID:{e['uid']}@finmatch", f"DTSTAMP:{dtstamp}",
                  f"DTSTART:{_utc(e['start'])}", f"DTEND:{_utc(e['end'])}",  # type: ignore[arg-type]
                  f"SUMMARY:{_escape(str(e['summary']))}", f"LOCATION:{_escape(str(e['location']))}",
                  f"DESCRIPTION:{_escape(str(e['description']))}", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def _uid(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text)


def agenda_to_ics(agenda: Agenda, names: dict[str, str] | None = None, event_name: str = "科技金融对接会",
                  stamp: datetime | None = None, context: ExportContext | None = None) -> str:
    """One VEVENT per meeting; needs ``agenda.start``. ``stamp`` (DTSTAMP) defaults to now."""
    if agenda.start is None:
        raise ValueError("导出日历需要活动开始时间（start） / agenda.start is required for iCalendar export")
    names = names or {}
    ctx = context or ExportContext(event_name=event_name)
    name = ctx.event_name or event_name
    base = _uid(agenda.event_id or "event")
    events: list[dict[str, object]] = []
    for m in sorted(agenda.meetings, key=lambda m: (m.slot, m.table)):
        begin, end = agenda.slot_times(m.slot)
        assert begin is not None and end is not None
        project = names.get(m.project_id) or m.project_id
        inst = names.get(m.institution_id) or m.institution_id
        product = ctx.products.get((m.project_id, m.institution_id))
        where = f"{ctx.venue} · {m.table}号洽谈桌" if ctx.venue else f"{m.table}号洽谈桌"
        description = (f"项目 {m.project_id} {project}，机构 {m.institution_id} {inst}，"
                       + (f"洽谈产品 {product}，" if product else "")
                       + f"第{m.slot + 1}时段，{m.table}号洽谈桌，匹配度 {percent(m.score)}")
        events.append({"uid": f"{base}-{_uid(f'{m.project_id}-{m.institution_id}-{m.slot}')}", "start": begin,
                       "end": end, "summary": f"{name}：{project} × {inst}", "location": where,
                       "description": description})
    return calendar(events, name, stamp)
