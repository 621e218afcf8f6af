"""Event agendas over HTTP (solve, re-solve around held meetings, views, downloads, roadshow) and
``finmatch schedule`` through the CLI."""

from __future__ import annotations

import io

import openpyxl
from sqlalchemy import func, select
from typer.testing import CliRunner

from api.payloads import AgendaOut, Roadshow
from app.cli import app as cli_app
from finmatch.runtime import open_database
from finmatch.storage.orm import AgendaRow
from tests.api.conftest import seed


def _meetings(agenda: dict) -> set[tuple[str, str, int]]:
    return {(m["project_id"], m["institution_id"], m["slot"]) for g in agenda["groups"] for m in g["meetings"]}


def test_schedule_views_and_downloads(api):
    r = api.post("organiser", "/events/EV2025-01/schedule", json={
        "time_limit_s": 5, "must_meet": [{"project_id": "XM0002", "institution_id": "I-BANK-01"}]})
    assert r.status_code == 200, r.text
    body = AgendaOut.model_validate(r.json())
    assert body.meetings == 2 and body.objective > 0 and body.greedy_objective is not None
    assert body.bound is not None and body.bound >= body.objective - 1e-6
    assert body.impossible[0].code == "no_eligible_product"  # XM0002 has no eligible bank product
    matrix = api.get("organiser", "/events/EV2025-01/matrix").json()
    best = {c["institution_id"]: c["probability"] for c in matrix["rows"][0]["cells"]}
    scores = {m.institution_id: m.score for g in body.groups for m in g.meetings}
    assert scores == best  # the scheduler was fed the event matrix
    for view, keys in [("institution", {"I-BANK-01", "I-FUND-01"}), ("project", {"XM0001"})]:
        got = api.get("organiser", "/events/EV2025-01/agenda", params={"view": view}).json()
        assert {g["key"] for g in got["groups"]} == keys and got["view"] == view
    tables = api.get("organiser", "/events/EV2025-01/agenda", params={"view": "table"}).json()
    assert all(g["name"].endswith("号洽谈桌") for g in tables["groups"])
    own = api.get("bank", "/events/EV2025-01/agenda").json()
    assert {g["key"] for g in own["groups"]} == {"I-BANK-01"}
    csv = api.get("organiser", "/events/EV2025-01/agenda.csv")
    assert csv.status_code == 200 and csv.text.startswith("\ufeff活动,日期,时段") and "XM0001" in csv.text
    assert "2025-06-18" in csv.text and "%" in csv.text and "洽谈产品" in csv.text
    ics = api.get("organiser", "/events/EV2025-01/agenda.ics")
    assert ics.headers["content-type"].startswith("text/calendar") and ics.text.count("BEGIN:VEVENT") == 2
    xlsx = api.get("organiser", "/events/EV2025-01/agenda.xlsx")
    assert "attachment" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[0] == "总表" and book["总表"].max_row == 3
    assert api.get("organiser", "/events/EV2025-01/agenda.pdf").status_code in (404, 422)


def test_resolve_keeps_held_meetings(api):
    assert api.post("organiser", "/events/EV2025-01/schedule", json={"keep_held": True}).status_code == 409
    first = api.post("organiser", "/events/EV2025-01/schedule", json={"time_limit_s": 5}).json()
    held = {m for m in _meetings(first) if m[2] == 1}  # slot 1 (1-based) is over
    bank_slot = next(m[2] for m in _meetings(first) if m[1] == "I-BANK-01")
    r = api.post("organiser", "/events/EV2025-01/schedule",
                 json={"keep_held": True, "now_slot": 1, "no_shows": ["I-BANK-01"], "time_limit_s": 5})
    assert r.status_code == 200, r.text
    second = _meetings(r.json())
    assert held <= second
    if bank_slot > 1:  # the bank left before its meeting: no meeting with it any more
        assert not any(m[1] == "I-BANK-01" for m in second)
    db = open_database(api.settings, migrate=False)
    try:
        with db.factory() as s:
            assert s.scalar(select(func.count()).select_from(AgendaRow)) == 2
    finally:
        db.dispose()
    audit = api.get("admin", "/audit", params={"entity": "agendas"}).json()
    assert audit["total"] == 2 and audit["items"][0]["actor"].startswith("organiser:")


def test_roadshow_and_missing_agenda(api):
    assert api.get("bank", "/events/EV2025-01/roadshow").status_code == 403  # staff only
    assert api.get("bank", "/events/EV2025-01/roadshow.xlsx").status_code == 403
    r = api.get("organiser", "/events/EV2025-01/roadshow", params={"pitch_minutes": 10, "qa_minutes": 5})
    body = Roadshow.model_validate(r.json())
    assert [i.order for i in body.items] == [1, 2] and body.items[0].project_id == "XM0001"
    assert (body.items[1].start - body.items[0].start).total_seconds() == 15 * 60
    assert body.items[0].start.hour == 9 and body.items[0].room == 1 and body.items[0].session == 1
    xlsx = api.get("organiser", "/events/EV2025-01/roadshow.xlsx")
    assert xlsx.status_code == 200 and openpyxl.load_workbook(io.BytesIO(xlsx.content))["路演日程"].max_row == 4
    ics = api.get("organiser", "/events/EV2025-01/roadshow.ics")
    assert ics.text.count("BEGIN:VEVENT") == 2 and "路演" in ics.text
    r = api.get("organiser", "/events/EV2025-01/agenda")
    assert r.status_code == 404 and "尚未排定" in r.json()["message"]
    assert api.post("organiser", "/events/NOPE/schedule", json={}).status_code == 404
    r = api.post("organiser", "/events/EV2025-01/schedule", json={"time_limit_s": 0})
    assert r.status_code == 422 and r.json()["field"] == "time_limit_s"


def _agenda_rows(settings) -> int:  # type: ignore[no-untyped-def]
    db = open_database(settings, migrate=False)
    try:
        with db.factory() as s:
            return int(s.scalar(select(func.count()).select_from(AgendaRow)) or 0)
    finally:
        db.dispose()


def test_cli_schedule(settings, tmp_path, monkeypatch):
    seed(settings)
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    out = tmp_path / "out" / "agenda.csv"
    out.parent.mkdir()
    runner = CliRunner()
    result = runner.invoke(cli_app, ["schedule", "--event", "EV2025-01", "--export", "csv", "--output", str(out),
                                     "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "已安排 2 场洽谈" in result.output and "贪心基线" in result.output and "I-FUND-01" in result.output
    assert "未写入数据库" in result.output and _agenda_rows(settings) == 0  # a dry run without --save
    assert out.read_text("utf-8-sig").startswith("活动") and "XM0001" in out.read_text("utf-8-sig")
    assert not list(work.iterdir())  # nothing dropped into the working folder
    result = runner.invoke(cli_app, ["schedule", "--event", "EV2025-01", "--export", "csv", "--time-limit", "5"])
    assert result.exit_code == 1 and "--output" in result.output
    result = runner.invoke(cli_app, ["schedule", "--event", "EV2025-01", "--time-limit", "5", "--save"])
    assert result.exit_code == 0 and "已保存" in result.output and _agenda_rows(settings) == 1
    result = runner.invoke(cli_app, ["schedule", "--event", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output
    result = runner.invoke(cli_app, ["schedule", "--event", "EV2025-01", "--export", "pdf"])
    assert result.exit_code == 1


def test_per_role_summaries_and_own_downloads(api):
    r = api.post("organiser", "/events/EV2025-01/schedule", json={
        "time_limit_s": 5, "must_meet": [{"project_id": "XM0002", "institution_id": "I-FUND-01"},
                                         {"project_id": "XM0002", "institution_id": "I-BANK-01"}]})
    assert r.status_code == 200, r.text
    staff = api.get("organiser", "/events/EV2025-01/agenda").json()
    assert staff["text"].startswith(f"已安排 {staff['meetings']} 场洽谈，覆盖 {staff['projects_met']} 个项目")
    assert staff["solver"] and staff["unmatched"] and staff["unmatched"][0]["project_id"] == "XM0002"
    assert staff["unmatched"][0]["project_name"] in staff["text"] and staff["unmatched"][0]["reason"]
    assert all(m["product_name"] for g in staff["groups"] for m in g["meetings"])
    bank = api.get("bank", "/events/EV2025-01/agenda").json()
    own = [m for g in staff["groups"] for m in g["meetings"] if m["institution_id"] == "I-BANK-01"]
    assert bank["meetings"] == len(own) < staff["meetings"]  # no whole-event totals for an institution
    assert bank["text"].startswith("本机构") and bank["unmatched"] == [] and bank["objective"] is None
    assert {i["institution_id"] for i in bank["impossible"]} <= {"I-BANK-01"}  # not the fund's requests
    csv = api.get("bank", "/events/EV2025-01/agenda.csv")
    assert csv.status_code == 200 and "I-BANK-01" in csv.text and "I-FUND-01" not in csv.text
    book = openpyxl.load_workbook(io.BytesIO(api.get("bank", "/events/EV2025-01/agenda.xlsx").content))
    assert book.sheetnames == ["总表"] and book["总表"].max_row == 1 + len(own)


def test_enterprise_contact_link(api):
    from finmatch.services.event_day import project_token

    api.post("organiser", "/events/EV2025-01/schedule", json={"time_limit_s": 5})
    token = project_token(api.settings, "EV2025-01", "XM0001")
    r = api.client.get("/events/EV2025-01/projects/XM0001/agenda.ics", params={"token": token})
    assert r.status_code == 200 and r.text.count("BEGIN:VEVENT") == 2 and "XM0001" in r.text
    bad = api.client.get("/events/EV2025-01/projects/XM0002/agenda.ics", params={"token": token})
    assert bad.status_code == 403  # the token opens one project's agenda only


def test_schedule_meets_package_institutions(api):
    """``package_must_meet``: each project meets the institutions of its own financing package."""
    package = api.get("organiser", "/packages/projects/XM0001").json()["packages"]["XM0001"]
    wanted = {("XM0001", p["institution_id"]) for p in package["parts"]}
    assert wanted  # the sample project has a package
    r = api.post("organiser", "/events/EV2025-01/schedule", json={"time_limit_s": 5, "package_must_meet": True})
    assert r.status_code == 200, r.text
    met = {(p, i) for p, i, _ in _meetings(r.json())}
    assert wanted <= met and not r.json()["impossible"]
    blocked = [{"project_id": p, "institution_id": i} for p, i in sorted(wanted)]
    plain = api.post("organiser", "/events/EV2025-01/schedule", json={"time_limit_s": 5, "blocked": blocked}).json()
    assert not plain["impossible"]  # without the option, blocking a package pair asks nothing of the solver
    both = api.post("organiser", "/events/EV2025-01/schedule",
                    json={"time_limit_s": 5, "blocked": blocked, "package_must_meet": True}).json()
    assert {(x["project_id"], x["institution_id"]) for x in both["impossible"] if x["code"] == "blocked"} == wanted
