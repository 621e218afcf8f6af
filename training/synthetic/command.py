"""`finmatch generate`: regenerate a synthetic dataset of any size for a seed (registered by the CLI).

Parquet (a folder of four tables, streamed chunk by chunk, memory bounded by a chunk) unless the
output ends in ``.json`` or ``--format json`` is asked for (one v1 JSON file, built in memory).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from training.synthetic.dataset import DEFAULT_PROJECTS, DEFAULT_SEED, generate_dataset, write_document
from training.synthetic.stream import DEFAULT_CHUNK, write_parquet_dataset


def output_format(output: Path, fmt: str | None) -> str:
    if fmt is not None:
        if fmt not in ("parquet", "json"):
            raise typer.BadParameter("格式应为 parquet 或 json", param_hint="--format")
        return fmt
    return "json" if output.suffix.lower() == ".json" else "parquet"


def generate_command(
    projects: Annotated[int, typer.Option("--projects", min=1, help="生成的企业/项目数 / number of projects")] = DEFAULT_PROJECTS,
    seed: Annotated[int, typer.Option("--seed", help="随机种子 / random seed")] = DEFAULT_SEED,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出目录（Parquet）或 .json 文件")] = Path("generated"),
    fmt: Annotated[str | None, typer.Option("--format", help="parquet（默认，流式写出）或 json")] = None,
    chunk: Annotated[int, typer.Option("--chunk", min=1, help="Parquet 每块的项目数（内存上限）")] = DEFAULT_CHUNK,
) -> None:
    """生成合成企业、中试项目、对接活动与对接结果（Parquet 或 v1 JSON），同一种子结果相同。"""
    start = time.perf_counter()
    if output_format(output, fmt) == "json":
        doc = generate_dataset(n_projects=projects, seed=seed, progress=True)
        write_document(doc, output, progress=True)
        n = (len(doc.enterprises), len(doc.projects), len(doc.events), len(doc.outcomes))
    else:
        c = write_parquet_dataset(output, projects, seed, chunk, progress=True)
        n = (c.enterprises, c.projects, c.events, c.outcomes)
    typer.echo(f"已生成 {n[0]} 家企业、{n[1]} 个项目、{n[2]} 场活动、{n[3]} 条对接结果 → {output}"
               f"（{time.perf_counter() - start:.1f} 秒）")


if __name__ == "__main__":
    typer.run(generate_command)
