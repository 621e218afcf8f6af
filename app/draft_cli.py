"""``finmatch draft-product``: a product draft from a policy notice, and the extractor's scores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from finmatch.exceptions import FinmatchError

console = Console()
err = Console(stderr=True)

FIELD_NAMES = {"name": "产品名称", "family": "产品大类", "kind": "产品类型", "amount_min_wan": "单户额度下限(万元)",
               "amount_max_wan": "单户额度上限(万元)", "rate_pct": "利率/费率/保费率(%)", "tenor_months": "期限(月)",
               "required_certifications_any": "资质要求(满足其一)", "min_revenue_wan": "营业收入下限(万元)",
               "max_revenue_wan": "营业收入上限(万元)", "min_company_age_years": "成立年限下限(年)",
               "max_company_age_years": "成立年限上限(年)", "sectors": "支持领域", "stages": "支持阶段",
               "cities": "服务区域", "valid_to": "有效期至", "requires_collateral": "需要抵押",
               "max_debt_ratio": "资产负债率上限", "min_tax_grade": "纳税信用等级下限",
               "excludes_hazardous": "不支持涉危化项目", "requires_three_firsts": "限三首产品",
               "budget_wan": "剩余额度(万元)", "trl_min": "技术成熟度下限"}


def draft_product_cmd(
        file: Annotated[Path | None, typer.Argument(help="申报通知或产品说明：.txt、.docx 或文字版 .pdf")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出 JSON：{draft, evidence}")] = False,
        evaluate: Annotated[Path | None, typer.Option(
            "--evaluate", help="在标注好的通知目录（含 expected.json）上打印各字段的精确率与召回率")] = None) -> None:
    """从政策通知生成金融产品草稿（每个字段附原文依据）/ draft a product from a policy notice."""
    from finmatch.drafting import draft_product, read_path

    if evaluate is not None:
        _print_evaluation(evaluate)
        return
    if file is None:
        err.print("[red]请指定通知文件（.txt、.docx 或 .pdf），或用 --evaluate 目录[/red]")
        raise typer.Exit(2)
    if not file.exists():
        err.print(f"[red]文件不存在：{file}[/red]")
        raise typer.Exit(1)
    try:
        draft = draft_product(read_path(file))
    except FinmatchError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(draft.as_dict(), ensure_ascii=False, default=str))
        return
    table = Table(title=f"产品草稿：{file.name}（请核对后再保存）")
    for col in ("字段", "提取值", "原文依据"):
        table.add_column(col, overflow="fold")
    for name, value in draft.fields.items():
        shown = "、".join(map(str, value)) if isinstance(value, list) else ("是" if value is True else
                                                                         "否" if value is False else str(value))
        table.add_row(FIELD_NAMES.get(name, name), shown, draft.evidence.get(name, ""))
    console.print(table)
    if not draft.fields:
        console.print("未能从文本中识别出任何产品字段")


def _print_evaluation(directory: Path) -> None:
    from finmatch.drafting.evaluate import evaluate, table

    if not (directory / "expected.json").exists():
        err.print(f"[red]{directory} 中没有 expected.json[/red]")
        raise typer.Exit(1)
    ev = evaluate(directory)
    t = Table(title=f"字段级精确率与召回率：{directory}（{ev.notices} 份通知）")
    for col in ("字段", "正确", "误报", "漏报", "精确率", "召回率"):
        t.add_column(col)
    for row in table(ev):
        t.add_row(FIELD_NAMES.get(row[0], row[0]), *row[1:])
    console.print(t)


def template_cmd(output: Annotated[Path, typer.Option("--output", "-o", help="写入的文件")] = Path("导入模板.xlsx"),
                 ) -> None:
    """生成导入模板 XLSX（每类数据一张表，含填写说明与下拉选项）/ write the import template."""
    from finmatch.io.template import template_xlsx

    output.write_bytes(template_xlsx())
    console.print(f"已生成导入模板：{output}")
