"""Agenda exports: XLSX (总表 plus one sheet per institution), CSV (UTF-8 with BOM) and iCalendar.

The iCalendar text is written by hand (RFC 5545): CRLF line ends, TEXT values escaped, lines folded
at 75 octets without splitting a UTF-8 character. Times are written in UTC; a naive ``start`` is
taken as Beijing time (UTC+8, no daylight saving).
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import IO

import pandas as pd

from finmatch.scheduling.problem import Agenda, Meeting

HEADERS = ["时段", "开始时间", "结束时间", "洽谈桌号", "项目编号", "项目名称", "机构编号", "机构名称", "匹配度"]
SUMMARY_SHEET = "总表"
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def _rows(agenda: Agenda, meetings: list[Meeting], names: dict[str, str]) -> list[list[object]]:
    rows = []
    for m in sorted(meetings, key=lambda m: (m.slot, m.table, m.institution_id)):
        begin, end = agenda.slot_times(m.slot)
        rows.append([m.slot + 1, begin.strftime("%H:%M") if begin else "", end.strftime("%H:%M") if end else "",
                     m.table, m.project_id, names.get(m.project_id, ""), m.institution_id,
                     names.get(m.institution_id, ""), round(m.score, 4)])
    return rows


def agenda_frame(agenda: Agenda, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The 总表 as a frame with Chinese headers (slot numbers 1-based, times HH:MM)."""
    return pd.DataFrame(_rows(agenda, agenda.meetings, names or {}), columns=HEADERS)


def _sheet_title(text: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", text).strip("'")[:31] or "sheet"
    title, k = base, 2
    while title.lower() in used:
        suffix = f"~{k}"
        title, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(title.lower())
    return title


def agenda_to_xlsx(agenda: Agenda, path_or_buffer: str | IO[bytes], names: dict[str, str] | None = None) -> None:
    """Write 总表 and one sheet per institution (titled by name, else id)."""
    names = names or {}
    used = {SUMMARY_SHEET}
    with pd.ExcelWriter(path_or_buffer, engine="openpyxl") as writer:
        agenda_frame(agenda, names).to_excel(writer, sheet_name=SUMMARY_SHEET, index=False)
        for inst, meetings in sorted(agenda.by_institution().items()):
            title = _sheet_title(names.get(inst) or inst, used)
            frame = pd.DataFrame(_rows(agenda, meetings, names), columns=HEADERS)
            frame.to_excel(writer, sheet_name=title, index=False)
        for sheet in writer.sheets.values():
            for col, width in zip("ABCDEFGHI", (6, 10, 10, 9, 14, 30, 14, 30, 8), strict=True):
                sheet.column_dimensions[col].width = width


def agenda_to_csv(agenda: Agenda, names: dict[str, str] | None = None) -> str:
    """The 总表 as CSV text starting with a BOM so Excel on Chinese Windows reads it as UTF-8."""
    buffer = io.StringIO()
    agenda_frame(agenda, names).to_csv(buffer, index=False, lineterminator="\r\n")
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


def agenda_to_ics(agenda: Agenda, names: dict[str, str] | None = None, event_name: str = "科技金融对接会",
                  stamp: datetime | None = None) -> str:
    """One VEVENT per meeting; needs ``agenda.start``. ``stamp`` (DTSTAMP) defaults to now."""
    if agenda.start is None:
        raise ValueError("导出日历需要活动开始时间（start） / agenda.start is required for iCalendar export")
    names = names or {}
    dtstamp = _utc(stamp or datetime.now(UTC))
    uid_base = re.sub(r"[^A-Za-z0-9._-]", "_", agenda.event_id or "event")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//finmatch//scheduling//ZH", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_escape(event_name)}"]
    for m in sorted(agenda.meetings, key=lambda m: (m.slot, m.table)):
        begin, end = agenda.slot_times(m.slot)
        assert begin is not None and end is not None
        project = names.get(m.project_id) or m.project_id
        inst = names.get(m.institution_id) or m.institution_id
        uid = re.sub(r"[^A-Za-z0-9._-]", "_", f"{m.project_id}-{m.institution_id}-{m.slot}")
        summary = f"{event_name}：{project} × {inst}"
        description = (f"项目 {m.project_id} {project}，机构 {m.institution_id} {inst}，"
                       f"第{m.slot + 1}时段，匹配度 {m.score:.2f}")
        lines += ["BEGIN:VEVENT", f"UID:{uid_base}-{uid}@finmatch", f"DTSTAMP:{dtstamp}",
                  f"DTSTART:{_utc(begin)}", f"DTEND:{_utc(end)}", f"SUMMARY:{_escape(summary)}",
                  f"LOCATION:{_escape(f'{m.table}号洽谈桌')}", f"DESCRIPTION:{_escape(description)}",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
