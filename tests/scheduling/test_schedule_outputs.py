"""Roadshow order and the XLSX / CSV / iCalendar exports."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd

from finmatch.scheduling import roadshow_order, solve
from finmatch.scheduling.exports import HEADERS, agenda_to_csv, agenda_to_ics, agenda_to_xlsx, fold
from tests.scheduling.sched_helpers import make_request


def test_roadshow_groups_by_sector_most_wanted_first() -> None:
    nan = np.nan
    scores = pd.DataFrame({"I-1": [0.9, 0.8, 0.1, 0.7, nan], "I-2": [0.9, nan, 0.2, 0.8, 0.9],
                           "I-3": [0.8, 0.7, nan, 0.9, 0.1]}, index=["P1", "P2", "P3", "P4", "P5"])
    sectors = {"P1": "biomedicine", "P2": "advanced_materials", "P3": "advanced_materials", "P4": "biomedicine"}
    order = roadshow_order(scores, sectors, start=datetime(2026, 5, 20, 9, 0), want_threshold=0.5)
    assert list(order.columns) == ["order", "project_id", "sector", "demand", "interest", "start", "end"]
    assert list(order["project_id"]) == ["P1", "P4", "P2", "P3", "P5"]  # biomedicine (3,3) before materials (2,0)
    assert list(order["demand"]) == [3, 3, 2, 0, 1]
    assert order["sector"].iloc[-1] == "未分类"
    assert order["start"].iloc[1] == pd.Timestamp("2026-05-20 09:15")
    assert (order["end"] - order["start"]).eq(pd.Timedelta(minutes=15)).all()
    # each sector forms one contiguous block
    blocks = [s for k, s in enumerate(order["sector"]) if k == 0 or s != order["sector"].iloc[k - 1]]
    assert len(blocks) == len(set(blocks))


def test_roadshow_without_start_gives_offsets() -> None:
    scores = pd.DataFrame({"I-1": [0.5, 0.6]}, index=["P1", "P2"])
    order = roadshow_order(scores, {}, pitch_minutes=5, qa_minutes=5)
    assert list(order["start"]) == [pd.Timedelta(0), pd.Timedelta(minutes=10)]


def _agenda():  # type: ignore[no-untyped-def]
    req = make_request(2, 8, 3, 4, 3, 2, 4, nan_share=0.2)
    req.start = datetime(2026, 5, 20, 14, 0)
    return solve(req)


NAMES = {"I-00": "广西北部湾银行南宁分行科技金融事业部（中试贷专营团队）", "I-01": "广西科技成果转化基金",
         "XM0000": "年产千吨级碳酸钙晶须中试线"}


def test_xlsx_has_summary_and_one_sheet_per_institution() -> None:
    agenda = _agenda()
    buffer = io.BytesIO()
    agenda_to_xlsx(agenda, buffer, names=NAMES)
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames[0] == "总表"
    assert len(book.sheetnames) == 1 + len(agenda.by_institution())
    assert all(len(name) <= 31 for name in book.sheetnames)
    summary = list(book["总表"].iter_rows(values_only=True))
    assert list(summary[0]) == HEADERS
    assert len(summary) == 1 + len(agenda.meetings)
    assert summary[1][3] == "14:00"
    assert summary[1][0] == "科技金融对接会" and summary[1][1] == "2026-05-20"
    assert all(str(r[-1]).endswith("%") for r in summary[1:])  # percentages like the pages, not 0.760417


def test_csv_starts_with_bom_and_has_chinese_headers() -> None:
    agenda = _agenda()
    text = agenda_to_csv(agenda, names=NAMES)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + len(agenda.meetings)


def test_ics_is_folded_and_complete() -> None:
    agenda = _agenda()
    text = agenda_to_ics(agenda, names=NAMES, event_name="2026年广西中试项目科技金融对接会",
                         stamp=datetime(2026, 5, 1, 8, 0))
    assert text.endswith("\r\n")
    lines = text.split("\r\n")[:-1]
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "").split("\r\n")[:-1]
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"
    assert "VERSION:2.0" in unfolded and any(u.startswith("PRODID:") for u in unfolded)
    events = [u for u in unfolded if u == "BEGIN:VEVENT"]
    uids = [u for u in unfolded if u.startswith("UID:")]
    assert len(events) == len(uids) == len(set(uids)) == len(agenda.meetings)
    assert sum(u.startswith("DTSTAMP:20260501T000000Z") for u in unfolded) == len(agenda.meetings)
    first = min(agenda.meetings, key=lambda m: m.slot).slot
    assert f"DTSTART:20260520T{6 + (first * 20) // 60:02d}{(first * 20) % 60:02d}00Z" in unfolded
    summaries = [u for u in unfolded if u.startswith("SUMMARY:")]
    assert all("2026年广西中试项目科技金融对接会" in s for s in summaries)
    assert any("广西北部湾银行南宁分行" in s for s in summaries)


def test_fold_never_splits_a_character() -> None:
    line = "SUMMARY:" + "科技金融对接" * 40
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line
