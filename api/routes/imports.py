"""Bulk import: the same files as ``finmatch import`` (JSON, CSV, XLSX), all-or-nothing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from starlette.concurrency import run_in_threadpool

from api.deps import AdminDep, StateDep
from api.errors import WRITE_ERRORS
from api.payloads import ImportResult
from finmatch.exceptions import FinmatchError
from finmatch.io import import_read, read_upload
from finmatch.io.readers import ReadResult

router = APIRouter(tags=["导入"])
MAX_UPLOAD = 50 * 1024 * 1024


@router.post("/import", response_model=ImportResult, responses=WRITE_ERRORS, summary="批量导入",
             description="上传一个或多个 v1 JSON、CSV 或 XLSX 文件（表头可为英文字段名或中文标签）。全部校验通过才写入；"
                         "有任何错误返回 422，`errors` 列出每处错误的文件、行、字段与原因，且不写入任何数据。仅管理员。")
async def import_files(principal: AdminDep, state: StateDep,
                       files: Annotated[list[UploadFile], File(description="JSON / CSV / XLSX 文件")],
                       dry_run: Annotated[bool, Query(description="只校验，不写入")] = False) -> dict:
    read = ReadResult()
    for upload in files:
        content = await upload.read(MAX_UPLOAD + 1)
        if len(content) > MAX_UPLOAD:
            raise FinmatchError(f"文件 {upload.filename} 超过 50 MB", field="files")
        read_upload(upload.filename or "upload.json", content, read)
    report = await run_in_threadpool(import_read, read, state.db.factory, dry_run=dry_run, actor=principal.actor)
    if not dry_run:
        state.data_changed()
    return {"ok": True, **report.as_dict()}
