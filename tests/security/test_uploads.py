"""Upload bombs and limits: refused quickly, in bounded memory, with a Chinese reason; error lists capped."""

from __future__ import annotations

import resource
import time

import pytest

from finmatch.exceptions import PayloadTooLargeError
from finmatch.io import read_upload
from finmatch.io.safe_xlsx import XlsxLimits, iter_sheets
from tests.security import bombs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_declared_dimensions_are_ignored() -> None:
    content = bombs.dimension_bomb()
    assert len(content) < 10_000
    start = time.perf_counter()
    read = read_upload("projects.xlsx", content)
    assert time.perf_counter() - start < 10  # was: 6 GB and minutes
    assert [r.data.get("project_id") for r in read.records] == ["XM-B1"]


@pytest.mark.parametrize("make", [bombs.far_cell_bomb, bombs.wide_rows_bomb])
def test_padded_rows_and_cells_are_capped(make) -> None:  # type: ignore[no-untyped-def]
    content = make()
    before = _peak_mb()
    with pytest.raises(PayloadTooLargeError) as info:
        list(iter_sheets(content, "bomb.xlsx", XlsxLimits(max_rows=10_000, max_cells=1_000_000)))
    assert "上限" in info.value.message
    assert _peak_mb() - before < 500


def test_inflation_is_refused_before_decompressing() -> None:
    content = bombs.inflation_bomb(20)
    assert len(content) < 200_000
    with pytest.raises(PayloadTooLargeError) as info:
        list(iter_sheets(content, "bomb.xlsx", XlsxLimits(max_uncompressed=5 * 1024 * 1024)))
    assert "解压后" in info.value.message


def test_api_answers_bombs_with_413_and_caps_error_lists(sqlite_sec) -> None:
    c, h = sqlite_sec.client, sqlite_sec.h("admin")
    r = c.post("/import", headers=h, files=[("files", ("p.xlsx", bombs.far_cell_bomb(), XLSX))])
    assert r.status_code == 413 and "上限" in r.json()["message"]
    r = c.post("/import", headers=h, files=[("files", ("p.xlsx", bombs.many_errors_book(400), XLSX))])
    body = r.json()
    assert r.status_code == 422 and body["errors_total"] > 400
    assert len(body["errors"]) == 200 and body["errors_omitted"] == body["errors_total"] - 200
    big = b"{" + b" " * int(sqlite_sec.settings.max_upload_mb * 2**20) + b"}"
    r = c.post("/import", headers=h, files=[("files", ("p.json", big, "application/json"))])
    assert r.status_code == 413 and "上限" in r.json()["message"]
    assert c.get("/health").status_code == 200


def test_request_body_limit_is_checked_before_parsing(sqlite_sec) -> None:
    r = sqlite_sec.client.post("/projects", headers={**sqlite_sec.h("admin"), "Content-Type": "application/json"},
                               content=b" " * (11 * 2**20))
    assert r.status_code == 413


def test_header_only_dry_run_is_not_a_success(database) -> None:
    from finmatch.exceptions import ImportValidationError
    from finmatch.io import import_read

    read = read_upload("projects.csv", "项目编号,企业编号,项目名称,所处阶段,融资需求(万元)\n".encode())
    with pytest.raises(ImportValidationError):
        import_read(read, database.factory, dry_run=True)
