"""Data at scale: ``finmatch generate`` streams Parquet; import reads Parquet under the CSV rules."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from finmatch.exceptions import ImportValidationError
from finmatch.io.importer import validate_records
from finmatch.io.readers import read_paths
from training.synthetic.stream import write_parquet_dataset


@pytest.fixture(scope="module")
def streamed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "set"
    write_parquet_dataset(out, 300, 20251, chunk_size=10_000)
    return out


def test_one_chunk_is_exactly_the_in_memory_generator(streamed: Path) -> None:
    from training.synthetic import generate_dataset

    doc, issues, _ = validate_records(read_paths([streamed]))
    assert not issues
    ref = generate_dataset(300, 20251)
    assert [p.model_dump() for p in doc.projects] == [p.model_dump() for p in ref.projects]
    assert [e.model_dump() for e in doc.enterprises] == [e.model_dump() for e in ref.enterprises]
    assert [e.model_dump() for e in doc.events] == [e.model_dump() for e in ref.events]
    assert len(doc.outcomes) == len(ref.outcomes) > 1000


def test_chunks_number_on_and_keep_events_apart(tmp_path: Path) -> None:
    counts = write_parquet_dataset(tmp_path / "set", 250, 7, chunk_size=100)
    projects = pd.read_parquet(tmp_path / "set" / "projects.parquet")
    events = pd.read_parquet(tmp_path / "set" / "events.parquet")
    outcomes = pd.read_parquet(tmp_path / "set" / "outcomes.parquet")
    assert counts.projects == len(projects) == 250 and projects["project_id"].is_unique
    assert projects["project_id"].iloc[[0, -1]].tolist() == ["XM0001", "XM0250"]
    assert events["event_id"].is_unique and events["event_id"].str.endswith("-C2").any()
    chunk_of = {pid: i // 100 for i, pid in enumerate(projects["project_id"])}
    for ids, eid in zip(events["project_ids"], events["event_id"], strict=True):
        chunk = int(eid.rsplit("-C", 1)[1]) if "-C" in eid else 0
        assert {chunk_of[p] for p in ids} == {chunk}
    assert set(outcomes["event_id"].dropna()) <= set(events["event_id"])


def _bad_rows(tmp_path: Path) -> pd.DataFrame:
    return pd.DataFrame({
        "项目编号": ["XM9001", "XM9002", "XM9003"], "企业编号": ["E0001", "E0001", "E0001"],
        "项目名称": ["中试线建设", "检测平台", "新材料中试"], "所处阶段": ["中试熟化", "中试熟化", "概念验证"], "融资需求（万元）": [3000.0, -5.0, 500.0],
        "技术成熟度": [6, 7, 12]})


def test_parquet_errors_are_the_csv_errors(tmp_path: Path) -> None:
    table = _bad_rows(tmp_path)
    pq_path, csv_path = tmp_path / "projects.parquet", tmp_path / "projects.csv"
    table.to_parquet(pq_path, index=False)
    with csv_path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(table.columns)
        w.writerows(table.astype(str).itertuples(index=False))
    got = {}
    for path in (pq_path, csv_path):
        _, issues, _ = validate_records(read_paths([path]))
        got[path.suffix] = sorted((i.row, i.field, i.header, i.message) for i in issues)
    assert got[".parquet"] == got[".csv"]
    # header = row 1 as in a spreadsheet; the column named as the file names it
    assert [(r, f, h) for r, f, h, _ in got[".parquet"]] == [("第 3 行", "funding_need_wan", "融资需求（万元）"),
                                                             ("第 4 行", "trl", "技术成熟度")]


def test_parquet_import_is_all_or_nothing(tmp_path: Path, sqlite_settings) -> None:
    from finmatch.io import import_paths
    from finmatch.runtime import open_database
    from finmatch.storage import Repository

    _bad_rows(tmp_path).to_parquet(tmp_path / "projects.parquet", index=False)
    db = open_database(sqlite_settings)
    try:
        with pytest.raises(ImportValidationError) as exc:
            import_paths([tmp_path / "projects.parquet"], db.factory)
        assert all(i.file.endswith("projects.parquet") for i in exc.value.issues)
        with db.factory() as session:
            assert Repository(session).projects_frame().empty
    finally:
        db.dispose()


def test_unreadable_parquet_is_an_issue(tmp_path: Path) -> None:
    path = tmp_path / "projects.parquet"
    path.write_bytes(b"PAR1 not really")
    read = read_paths([path])
    assert read.issues and "Parquet" in read.issues[0].message
