"""`finmatch generate`: regenerate a synthetic dataset of any size for a seed (registered by the CLI)."""

from __future__ import annotations

import time
from pathlib import Path

import typer

from training.synthetic.dataset import DEFAULT_PROJECTS, DEFAULT_SEED, generate_dataset, write_document


def generate_command(
    projects: int = typer.Option(DEFAULT_PROJECTS, "--projects", min=1, help="生成的企业/项目数 / number of projects"),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="随机种子 / random seed"),
    output: Path = typer.Option(Path("generated.json"), "--output", "-o", help="输出 JSON 文件 / output file"),
) -> None:
    """生成合成企业、中试项目、对接活动与对接结果（v1 JSON），同一种子结果相同。"""
    start = time.perf_counter()
    doc = generate_dataset(n_projects=projects, seed=seed, progress=True)
    write_document(doc, output, progress=True)
    typer.echo(f"已生成 {len(doc.enterprises)} 家企业、{len(doc.projects)} 个项目、{len(doc.events)} 场活动、"
               f"{len(doc.outcomes)} 条对接结果 → {output}（{time.perf_counter() - start:.1f} 秒）")


if __name__ == "__main__":
    typer.run(generate_command)
