"""The body of ``finmatch package``: one 投贷保担补 package per project, as JSON or a Chinese table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from finmatch.exceptions import FinmatchError
from finmatch.matching import PairScorer
from finmatch.settings import Settings


def package_command(settings: Settings, scorer: PairScorer, console: Console, *, project: str | None,
                    input: Path | None, objective: str, as_json: bool) -> None:
    """Packages for a stored project (``--project``) or every project of a v1 file (``--input``)."""
    from finmatch.services import packages

    if (project is None) == (input is None):
        raise FinmatchError("请指定 --project 项目编号 或 --input 文件（二者选一）", field="project")
    if input is not None:
        output = packages.packages_file(input, settings, scorer, objective)
    else:
        from finmatch.runtime import open_database
        from finmatch.storage import Repository

        db = open_database(settings)
        try:
            with db.factory() as session:
                products = Repository(session).products_frame()
                output = packages.project_packages(session, scorer, settings, products, project or "",
                                                   objective=objective)
        finally:
            db.dispose()
    if as_json:
        print(json.dumps(output, ensure_ascii=False, indent=1))
        return
    print_packages(output, console)


def _wan(v: Any) -> str:
    return "—" if v is None else f"{float(v):,.2f}".rstrip("0").rstrip(".")


def _pct(v: Any) -> str:
    from finmatch.packaging.explain import pct

    return "—" if v is None else pct(float(v))


STATUS = {"covered": "全部覆盖", "partial": "部分覆盖", "none": "无法组合"}


def print_packages(output: dict[str, Any], console: Console) -> None:
    """A table per project for people: product names, families in Chinese, 万元, percentages."""
    console.print(f"模型：{output['model']}")
    for pid, e in output["packages"].items():
        console.print(f"\n[bold]{pid} {e.get('project_name', '')}[/bold]  融资需求 {_wan(e['need_wan'])} 万元 · "
                      f"{e['objective_label']} · {STATUS[e['status']]}（已覆盖 {_wan(e['covered_wan'])} 万元，"
                      f"缺口 {_wan(e['uncovered_wan'])} 万元）")
        table = Table(show_lines=False)
        for col in ("类别", "产品", "机构", "金额(万元)", "支持对象", "利率/费率", "年成本(万元)", "对接概率"):
            table.add_column(col, overflow="fold")
        names = {p["product_id"]: p["product_name"] for p in e["parts"]}
        for p in e["parts"]:
            amount = "—" if p["family"] == "subsidy" and not p["cash"] else _wan(p["amount_wan"])
            cost = (f"-{_wan(p['saving_wan'])}" if p["saving_wan"] else _wan(p["annual_cost_wan"]))
            table.add_row(p["family_label"], p["product_name"], p.get("institution_name") or p["institution_id"],
                          amount, names.get(p["supports"] or "", "—"),
                          "—" if p["rate_pct"] is None else f"{p['rate_pct']:g}%", cost, _pct(p["probability"]))
        console.print(table)
        console.print(f"年综合成本 {_wan(e['annual_cost_wan'])} 万元（综合费率 {_pct(e['cost_rate'])}） · "
                      f"全部落地概率 {_pct(e['probability'])} · 股权稀释 {_pct(e['equity_share'])}")
        for s in e["steps"]:
            console.print(f"  {s}")
        for r in e["reasons"]:
            console.print(f"  · {r}")
        if e.get("alternatives"):
            alt = Table(title="备选方案（帕累托最优）")
            for col in ("方案", "已覆盖(万元)", "年成本(万元)", "全部落地概率", "股权稀释", "产品"):
                alt.add_column(col, overflow="fold")
            for a in e["alternatives"]:
                alt.add_row(a["objective_label"], _wan(a["covered_wan"]), _wan(a["annual_cost_wan"]),
                            _pct(a["probability"]), _pct(a["equity_share"]),
                            "、".join(p["product_name"] for p in a["parts"]))
            console.print(alt)
        for w in e.get("what_if", []):
            console.print(f"  如果：{w['description']} → {w['effect']}")
