"""``finmatch schedule``: solve through the agenda use case, then print the figures and tables (rich)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from finmatch.matching import PairScorer
from finmatch.services import event_day
from finmatch.services.agenda import run_schedule
from finmatch.settings import Settings


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.3f}"


def schedule_cli(settings: Settings, event_id: str, export: str | None, output: Path | None, time_limit: float,
                 console: Console, scorer: PairScorer, save: bool = False) -> None:
    """Solve and print; store only with ``save``; write a file only at ``output``."""
    run, _ = run_schedule(settings, event_id, export, output, time_limit, scorer, save=save)
    agenda, row, names = run.agenda, run.row, run.names
    console.print(event_day.summary_text(len(agenda.meetings), agenda.projects_met, run.unmatched, None))
    console.print(f"[dim]求解信息：{agenda.solver}（{agenda.status}），目标值 {agenda.objective:.3f}，"
                  f"上界 {_fmt(agenda.bound)}，贪心基线 {_fmt(agenda.greedy_objective)}，模型 {row.model}[/dim]")
    table = Table(title="各机构洽谈安排")
    for col in ("机构编号", "机构名称", "场次", "平均匹配度", "时段"):
        table.add_column(col, overflow="fold")
    for inst, meetings in sorted(agenda.by_institution().items()):
        avg = sum(m.score for m in meetings) / len(meetings)
        table.add_row(inst, names.get(inst, ""), str(len(meetings)), f"{avg * 100:.1f}%",
                      "、".join(str(m.slot + 1) for m in meetings))
    console.print(table)
    for u in run.unmatched:
        console.print(f"[yellow]未安排[/yellow] {u['project_id']} {u.get('project_name') or ''}：{u['reason']}")
    for imp in agenda.impossible:
        console.print(f"[yellow]无法安排[/yellow] {imp.project_id} × {imp.institution_id}：{imp.reason}")
    if save:
        console.print(f"[green]已保存为活动 {event_id} 的当前日程（第 {row.agenda_id} 版）[/green]")
    else:
        console.print("未写入数据库（试排）；确认无误后加 --save 保存为当前日程")
    if run.export is not None and output is not None:
        output.write_bytes(run.export)
        console.print(f"已导出 {output}")
