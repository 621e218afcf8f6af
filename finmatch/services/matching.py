"""Matching use cases: the ``finmatch match`` file command and database-backed views."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from finmatch.exceptions import FinmatchError, ImportIssue, ImportValidationError
from finmatch.frames import products_frame, projects_frame
from finmatch.io.importer import validate_records
from finmatch.io.readers import read_paths
from finmatch.matching import MatchEngine, MatchResult, PairScorer
from finmatch.registry import load_scorer
from finmatch.runtime import open_database
from finmatch.schemas import Enterprise, Institution
from finmatch.settings import Settings
from finmatch.storage import Repository


def match_frames(projects: pd.DataFrame, products: pd.DataFrame, scorer: PairScorer, settings: Settings) -> MatchResult:
    return MatchEngine(scorer, today=settings.effective_today()).run(projects, products)


def match_file(path: Path, top_k: int, settings: Settings, scorer: PairScorer | None = None) -> dict[str, Any]:
    """Rank, for each project in the file, the file's products or else the stored catalogue."""
    read = read_paths([path])
    doc, issues, _ = validate_records(read)
    if issues:
        raise ImportValidationError(issues=issues)
    if not doc.projects:
        raise FinmatchError(f"{path} 中没有项目 / no projects in file")
    if scorer is None:
        scorer, _ = load_scorer(settings)
    db = open_database(settings)
    try:
        with db.factory() as session:
            repo = Repository(session)
            enterprises: dict[str, Enterprise] = {e.key: e for e in doc.enterprises}  # type: ignore[misc]
            missing = {p.enterprise_id for p in doc.projects} - set(enterprises)
            enterprises.update(repo.fetch("enterprises", missing))  # type: ignore[arg-type]
            still = sorted({p.enterprise_id for p in doc.projects} - set(enterprises))
            if still:
                raise ImportValidationError(issues=[ImportIssue(str(path), "-", "enterprise_id",
                                                                f"引用的企业 {e} 不存在 / unknown enterprise") for e in still])
            institutions: dict[str, Institution] = repo.institutions()  # type: ignore[assignment]
            institutions.update({i.key: i for i in doc.institutions})  # type: ignore[misc]
            products = products_frame(doc.products, institutions) if doc.products else repo.products_frame()
    finally:
        db.dispose()
    if products.empty:
        raise FinmatchError("没有可匹配的金融产品：文件和数据库中都没有产品 / no products to match against")
    projects = projects_frame(doc.projects, enterprises)
    return match_frames(projects, products, scorer, settings).to_output(top_k)
