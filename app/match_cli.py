"""``finmatch match`` for people: per project a table of product names, Chinese families, the match
probability as a percentage and the top reason (only the project's requested families when it states
any), then the eligible products of other families in one short block, then the products awaiting
confirmation (待确认) with the facts that decide them (``--json`` prints the data-format.md object instead)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from finmatch.enums import Family
from finmatch.matching import MatchResult


def _family(code: str) -> str:
    return Family(code).label if code in Family._value2member_map_ else code


def print_matches(result: MatchResult, top: int, console: Console) -> None:
    """One table per project, best product first; then how many products the project does not qualify for."""
    for pid in result.projects.index:
        name = result.projects.loc[pid, "name"]
        table = Table(title=f"{name}（{pid}）推荐金融产品", title_justify="left")
        for col in ("名次", "产品", "机构", "类别", "对接概率", "主要理由"):
            table.add_column(col, overflow="fold", justify="right" if col in ("名次", "对接概率") else "left")
        items = result.ranked(pid, top)
        # the inferred sector is said once for the project, not repeated as every product's main reason
        sector_note = result.sector(str(pid)).reason()
        if sector_note:
            table.caption = sector_note
            table.caption_justify = "left"
        for m in items:
            info = result.product_info[m.product_id]
            reasons = [r for r in (m.reasons or m.eligibility_reasons) if r != sector_note]
            table.add_row(str(m.rank), str(info["name"]), str(info.get("institution_name") or m.institution_id),
                          _family(m.family), f"{m.probability * 100:.1f}%", reasons[0] if reasons else "—")
        others = result.other_families(str(pid), top, eligibility_reasons=False)
        if items:
            console.print(table)
        elif others:
            console.print(f"{name}（{pid}）：意向融资方式内没有符合准入条件的产品", markup=False)
        else:
            console.print(f"{name}（{pid}）：没有符合准入条件的产品", markup=False)
        _print_others(result, others, console)
        _print_confirmations(result, str(pid), console)
        n_bad = len(result.failed_fields(pid))
        if n_bad:
            console.print(f"[dim]另有 {n_bad} 个产品不符合准入条件（用 --json 查看未通过的条款）[/dim]")


def _print_others(result: MatchResult, others: list, console: Console) -> None:
    """Eligible products outside the project's requested families: one short block after the ranked table."""
    if not others:
        return
    console.print("其他可考虑的产品（不在项目意向融资方式内）：", markup=False)
    for m in others:
        info = result.product_info.get(m.product_id, {})
        who = f"{info.get('name') or m.product_id}（{info.get('institution_name') or m.institution_id} · {_family(m.family)}）"
        console.print(f"  {m.rank}. {who} 对接概率 {m.probability * 100:.1f}%", markup=False)


def _print_confirmations(result: MatchResult, project_id: str, console: Console) -> None:
    """Products with no failed clause that wait on facts the project has not given: the user confirms them."""
    items = result.needs_confirmation(project_id)
    if not items:
        return
    console.print(f"待确认：以下 {len(items)} 个产品没有不满足的条件，但项目缺少部分信息，确认后才能参与排序", markup=False)
    for c in items:
        info = result.product_info.get(c.product_id, {})
        who = f"{info.get('name') or c.product_id}（{info.get('institution_name') or c.institution_id} · {_family(c.family)}）"
        console.print(f"  · {who}", markup=False)
        for fact in c.facts:
            console.print(f"      {fact}", markup=False)
