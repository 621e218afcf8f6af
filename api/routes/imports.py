"""Bulk import: the same files as ``finmatch import`` (JSON, CSV, XLSX), all-or-nothing.

Uploads are bounded (per file and per request, ``FINMATCH_MAX_UPLOAD_MB`` / ``FINMATCH_MAX_REQUEST_MB``)
and parsed in a worker thread, never on the event loop: ``/health`` and other requests are served
while a workbook is read. XLSX limits (zip sizes, rows, cells) are in ``finmatch.io.safe_xlsx``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, StateDep
from api.errors import WRITE_ERRORS
from api.payloads import ImportResult
from api.state import AppState
from finmatch.exceptions import PayloadTooLargeError
from finmatch.io import import_read, read_upload
from finmatch.io.readers import ReadResult
from finmatch.settings import Settings

router = APIRouter(tags=["导入"])
MAX_UPLOAD = 50 * 1024 * 1024  # the default request limit; kept for callers that import the name


async def read_uploads(files: list[UploadFile], settings: Settings) -> tuple[ReadResult, list[str]]:
    """Every named upload read into one ReadResult (in a worker thread); 413 past the size limits."""
    per_file = int(settings.max_upload_mb * 1024 * 1024)
    per_request = int(settings.max_request_mb * 1024 * 1024)
    read, names, total = ReadResult(), [], 0
    for upload in files:
        if not upload.filename:
            continue
        content = await upload.read(per_file + 1)
        if len(content) > per_file:
            raise PayloadTooLargeError(f"文件 {upload.filename} 超过 {settings.max_upload_mb:g} MB 的上限", field="files")
        total += len(content)
        if total > per_request:
            raise PayloadTooLargeError(f"本次上传的文件合计超过 {settings.max_request_mb:g} MB 的上限，请分批导入",
                                       field="files")
        names.append(upload.filename)
        await run_in_threadpool(read_upload, upload.filename, content, read)
    return read, names


def start_embedding_job(state: AppState) -> None:
    """(Re)start the background embedding of the stored texts (see api.main)."""
    from api.main import _start_embedding_job

    _start_embedding_job(state)


@router.post("/import", response_model=ImportResult, responses=WRITE_ERRORS, summary="批量导入",
             description="上传一个或多个 v1 JSON、CSV 或 XLSX 文件（表头可为英文字段名或中文标签）。全部校验通过才写入；"
                         "有任何错误返回 422，`errors` 列出前 200 处错误的文件、行、字段与原因（`errors_total` 为总数），"
                         "且不写入任何数据。单个文件与整个请求有大小上限（超出返回 413）。仅管理员。")
async def import_files(principal: AdminDep, state: StateDep,
                       files: Annotated[list[UploadFile], File(description="JSON / CSV / XLSX 文件")],
                       dry_run: Annotated[bool, Query(description="只校验，不写入")] = False) -> dict:
    read, _ = await read_uploads(files, state.settings)
    report = await run_in_threadpool(import_read, read, state.db.factory, dry_run=dry_run, actor=principal.actor)
    if not dry_run:
        state.data_changed()
        start_embedding_job(state)  # the new texts are embedded in the background, not on a page view
    return {"ok": True, **report.as_dict()}
