"""The ``finmatch`` command line: the composition root that wires storage, features, training and API."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from finmatch.exceptions import FinmatchError, ImportValidationError
from finmatch.matching import PairScorer
from finmatch.schemas import ENTITY_LABELS, ENTITY_ORDER
from finmatch.settings import Settings, get_settings

app = typer.Typer(help="finmatch：中试项目科技金融精准匹配 / sci-tech finance matching for pilot projects",
                  no_args_is_help=True, pretty_exceptions_enable=False)
keys_app = typer.Typer(help="API 密钥管理 / API keys", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
console = Console()
err = Console(stderr=True)
log = logging.getLogger("finmatch")


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="详细日志")] = False) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


def _settings() -> Settings:
    return get_settings()


def _scorer(settings: Settings) -> PairScorer:
    """The trained model, or the cold-start prior with BM25 text similarity and sector inference."""
    from features.artifact_types import artifact_types
    from features.cold_start import cold_start_prior
    from finmatch.registry import load_scorer

    return load_scorer(settings, prior=cold_start_prior, types=artifact_types())[0]


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(code)


def _print_import_error(exc: ImportValidationError) -> None:
    table = Table(title=exc.message.split(" / ")[0], show_lines=False)
    for col in ("文件", "位置", "表头", "原因"):
        table.add_column(col, overflow="fold")
    for issue in exc.issues:
        where = f"{issue.sheet} {issue.row}" if issue.sheet else issue.row
        found = f"（填写：{issue.value}）" if issue.value else ""
        table.add_row(issue.file, where, issue.header or issue.field or "", issue.message + found)
    err.print(table)


@app.command("import")
def import_cmd(paths: Annotated[list[Path], typer.Argument(help="JSON / CSV / XLSX 文件或目录")],
               dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验，不写入")] = False,
               as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果")] = False,
               error_report: Annotated[Path | None, typer.Option(
                   "--error-report", help="有错误时把错误清单写成 XLSX（标出出错单元格）")] = None) -> None:
    """导入数据（全部成功才写入）/ import files, all-or-nothing."""
    from finmatch.io import import_read, read_paths, safe_xlsx
    from finmatch.io.error_report import report_xlsx
    from finmatch.runtime import open_database

    settings = _settings()
    safe_xlsx.configure(safe_xlsx.XlsxLimits(settings.max_import_rows, settings.max_import_cells))
    db = open_database(settings)
    read = read_paths(paths)
    try:
        report = import_read(read, db.factory, dry_run=dry_run)
    except ImportValidationError as exc:
        if error_report is not None:
            error_report.write_bytes(report_xlsx(exc.issues, read.tables))
            err.print(f"错误报告已写入 {error_report}")
        if as_json:
            print(json.dumps({"ok": False, "errors": [i.as_dict() for i in exc.issues]}, ensure_ascii=False))
        else:
            _print_import_error(exc)
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    if as_json:
        print(json.dumps({"ok": True, **report.as_dict()}, ensure_ascii=False))
        return
    for w in report.warnings:
        err.print(f"[yellow]提示[/yellow] {w}")
    verb = "校验通过（未写入）" if dry_run else "导入完成"
    parts = []
    for name, n in report.counts.items():
        ins, upd = report.written.get(name, (0, 0))
        parts.append(f"{ENTITY_LABELS[name]} {n} 条" + ("" if dry_run else f"（新增 {ins}，更新 {upd}）"))
    console.print(f"[green]{verb}[/green]：" + "；".join(parts))


@app.command("export")
def export_cmd(entity: Annotated[str, typer.Option(help="实体：all 或 " + "/".join(ENTITY_ORDER))] = "all",
               fmt: Annotated[str, typer.Option("--format", help="json | csv | xlsx")] = "json",
               output: Annotated[Path | None, typer.Option(help="输出文件；缺省输出到标准输出")] = None,
               labels: Annotated[str, typer.Option(help="表头与枚举：zh（中文）或 en（英文代码）")] = "zh") -> None:
    """导出数据 / export entities (round-trips with import)."""
    from finmatch.io import to_csv, to_json, to_xlsx
    from finmatch.runtime import open_database
    from finmatch.storage import Repository

    entities = list(ENTITY_ORDER) if entity == "all" else [entity]
    unknown = [e for e in entities if e not in ENTITY_ORDER]
    if unknown or fmt not in ("json", "csv", "xlsx") or labels not in ("zh", "en"):
        raise _fail(f"参数错误：entity={entity} format={fmt} labels={labels}", 2)
    if fmt == "csv" and len(entities) != 1:
        raise _fail("CSV 每个文件只含一种实体，请用 --entity 指定 / CSV needs one --entity", 2)
    db = open_database(_settings())
    with db.factory() as session:
        doc = Repository(session).load_document(entities)
    db.dispose()
    chinese = labels == "zh"
    data: bytes
    if fmt == "json":
        data = to_json(doc, entities).encode("utf-8")
    elif fmt == "csv":
        data = to_csv(entities[0], doc.entities(entities[0]), chinese).encode("utf-8")
    else:
        if output is None:
            raise _fail("XLSX 需要 --output 文件 / XLSX needs --output", 2)
        data = to_xlsx(doc, entities, chinese)
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        output.write_bytes(data)
        err.print(f"已写出 {output}")


@app.command("match")
def match_cmd(input: Annotated[Path, typer.Option("--input", help="含项目（及可选产品）的 v1 文件")],
              top: Annotated[int, typer.Option("--top", min=1, help="每个项目返回前 K 个产品")] = 5,
              as_json: Annotated[bool, typer.Option("--json", help="输出 data-format.md 的 JSON 对象")] = False) -> None:
    """为文件中的项目匹配金融产品 / rank products for the projects in FILE."""
    from app.match_cli import print_matches
    from finmatch.services.matching import match_file_result

    try:
        settings = _settings()
        result = match_file_result(input, settings, scorer=_scorer(settings))
    except ImportValidationError as exc:
        _print_import_error(exc)
        raise typer.Exit(1) from None
    except FinmatchError as exc:
        raise _fail(exc.message) from None
    if as_json:
        print(json.dumps(result.to_output(top), ensure_ascii=False, indent=1))
        return
    print_matches(result, top, console)


def _not_available(name: str) -> typer.Exit:
    return _fail(f"{name} 功能尚未提供 / '{name}' is not available yet", 3)


@app.command("generate")
def generate_cmd(projects: Annotated[int, typer.Option(help="生成的项目数")] = 300,
                 seed: Annotated[int, typer.Option(help="随机种子")] = 20251,
                 output: Annotated[Path, typer.Option(help="输出目录（Parquet）或 .json 文件")] = Path("generated"),
                 fmt: Annotated[str | None, typer.Option("--format", help="parquet（默认，流式）或 json")] = None,
                 chunk: Annotated[int, typer.Option(min=1, help="Parquet 每块的项目数（内存上限）")] = 10_000) -> None:
    """生成合成的企业、项目、活动与对接结果 / generate a seeded synthetic dataset (Parquet or JSON)."""
    try:
        from training.synthetic.command import generate_command
    except ImportError:
        raise _not_available("generate") from None
    generate_command(projects=projects, seed=seed, output=output, fmt=fmt, chunk=chunk)


def _register_batch() -> None:
    from app.batch_cli import batch_command

    app.command("batch")(batch_command)


_register_batch()


@app.command("train")
def train_cmd(from_db: Annotated[bool, typer.Option("--from-db", help="用数据库中的对接结果训练")] = True,
              config: Annotated[Path | None, typer.Option(help="超参数配置文件")] = None) -> None:
    """训练排序模型并写入模型库 / train the ranker and register a version."""
    try:
        from training.command import train_command
    except ImportError:
        raise _not_available("train") from None
    train_command(_settings(), config=config)


@app.command("evaluate")
def evaluate_cmd(output: Annotated[Path | None, typer.Option(help="把评估表写成 JSON")] = None) -> None:
    """评估模型与基线 / evaluate the ranker against baselines."""
    try:
        from training.command import evaluate_command
    except ImportError:
        raise _not_available("evaluate") from None
    evaluate_command(_settings(), output=output)


@app.command("schedule")
def schedule_cmd(event: Annotated[str, typer.Option("--event", help="活动编号")],
                 export: Annotated[str | None, typer.Option(help="xlsx | csv | ics")] = None,
                 output: Annotated[Path | None, typer.Option(help="导出文件（只写到这里）")] = None,
                 time_limit: Annotated[float, typer.Option(help="求解时限（秒）")] = 30.0,
                 save: Annotated[bool, typer.Option("--save", help="保存为活动的当前日程（缺省只试排，不写数据库）")] = False,
                 ) -> None:
    """为对接活动排定一对一洽谈日程 / build the 1:1 agenda of an event."""
    try:
        from app.schedule_cli import schedule_cli
    except ImportError:
        raise _not_available("schedule") from None
    try:
        settings = _settings()
        schedule_cli(settings, event, export, output, time_limit, console, scorer=_scorer(settings), save=save)
    except FinmatchError as exc:
        raise _fail(exc.message) from None


@app.command("package")
def package_cmd(project: Annotated[str | None, typer.Option("--project", help="已入库的项目编号")] = None,
                input: Annotated[Path | None, typer.Option("--input", help="含项目（及可选产品）的 v1 文件")] = None,
                objective: Annotated[str, typer.Option(help="cost | probability | dilution")] = "cost",
                as_json: Annotated[bool, typer.Option("--json", help="输出 JSON")] = False) -> None:
    """为项目组合投贷保担补融资方案 / one financing package per project."""
    from app.package_cli import package_command

    try:
        settings = _settings()
        package_command(settings, _scorer(settings), console, project=project, input=input,
                        objective=objective, as_json=as_json)
    except ImportValidationError as exc:
        _print_import_error(exc)
        raise typer.Exit(1) from None
    except FinmatchError as exc:
        raise _fail(exc.message) from None


from app.draft_cli import draft_product_cmd, template_cmd  # noqa: E402 - the commands of the office data issue

app.command("draft-product")(draft_product_cmd)
app.command("template")(template_cmd)


@app.command("serve")
def serve_cmd(host: Annotated[str | None, typer.Option(help="监听地址")] = None,
              port: Annotated[int | None, typer.Option(help="端口")] = None) -> None:
    """启动 Web 服务 / run the API and pages with uvicorn."""
    import os

    import uvicorn

    from finmatch.settings import get_settings, is_loopback

    settings = _settings()
    bind = host or settings.host
    if not is_loopback(bind) and not settings.secret_key:  # others can connect: sessions need a real secret
        raise _fail(f"在非本机地址 {bind} 上启动服务必须设置 FINMATCH_SECRET_KEY（至少 16 个字符的随机串，"
                    "例如 python -c \"import secrets; print(secrets.token_urlsafe(32))\" 的输出）")
    os.environ["FINMATCH_HOST"] = bind  # the app's settings see the real bind address (Secure cookies)
    get_settings.cache_clear()
    try:
        import api.main  # noqa: F401
    except ImportError:
        raise _not_available("serve") from None
    # SIGTERM: stop accepting at once, give running requests 10 s, then exit regardless
    uvicorn.run("api.main:create_app", factory=True, host=bind, port=port or settings.port,
                timeout_graceful_shutdown=10)


@app.command("demo")
def demo_cmd(serve: Annotated[bool, typer.Option(help="完成后启动服务")] = True) -> None:
    """载入样例数据、按需训练模型并启动服务 / load samples, train if needed, serve."""
    from app.demo import prepare_demo

    prepare_demo(_settings(), console)
    if serve:
        serve_cmd(None, None)


@keys_app.command("create")
def keys_create(role: Annotated[str, typer.Option(help="admin | organiser | institution")],
                institution: Annotated[str | None, typer.Option(help="机构编号（institution 角色必填）")] = None,
                label: Annotated[str | None, typer.Option(help="备注")] = None) -> None:
    """创建 API 密钥（只显示一次）/ create an API key (shown once)."""
    from finmatch.auth import create_key
    from finmatch.runtime import open_database

    db = open_database(_settings())
    try:
        key = create_key(db.factory, role=role, institution_id=institution, label=label)
    except FinmatchError as exc:
        raise _fail(exc.message, 2) from None
    finally:
        db.dispose()
    print(key)


@keys_app.command("list")
def keys_list() -> None:
    """列出 API 密钥（不显示密钥本身）/ list API keys."""
    from finmatch.auth import list_keys
    from finmatch.runtime import open_database

    db = open_database(_settings())
    try:
        keys = list_keys(db.factory)
    finally:
        db.dispose()
    table = Table(title="API 密钥")
    for col in ("编号 key_id", "角色 role", "机构 institution", "备注 label", "创建时间", "状态"):
        table.add_column(col)
    for k in keys:
        table.add_row(str(k["key_id"]), str(k["role"]), str(k["institution_id"] or ""), str(k["label"] or ""),
                      str(k["created_at"])[:19], "已吊销" if k["revoked"] else "有效")
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="密钥编号（密钥中 fm_ 之后的一段）")]) -> None:
    """吊销 API 密钥 / revoke an API key."""
    from finmatch.auth import revoke_key
    from finmatch.runtime import open_database

    db = open_database(_settings())
    try:
        revoke_key(db.factory, key_id)
    except FinmatchError as exc:
        raise _fail(exc.message, 2) from None
    finally:
        db.dispose()
    console.print(f"已吊销密钥 {key_id}")


if __name__ == "__main__":
    app()
