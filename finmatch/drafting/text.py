"""Policy text from the files offices publish (.txt, .docx, text .pdf) and its sentences."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

from finmatch.exceptions import FinmatchError

SUFFIXES = (".txt", ".docx", ".pdf")


def read_text(name: str, content: bytes) -> str:
    """The plain text of a notice; a scanned PDF (no text layer) is an error, not an empty draft."""
    suffix = Path(name).suffix.lower()
    if suffix in (".txt", ".md", ""):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return content.decode(enc)
            except UnicodeDecodeError:
                continue
        raise FinmatchError(f"{name}：文本编码无法识别（支持 UTF-8 与 GBK）", field="file")
    if suffix == ".docx":
        return _docx_text(name, content)
    if suffix == ".pdf":
        return _pdf_text(name, content)
    raise FinmatchError(f"{name}：不支持的文件类型，请上传 .txt、.docx 或 .pdf", field="file")


def read_path(path: Path) -> str:
    return read_text(path.name, path.read_bytes())


def _docx_text(name: str, content: bytes) -> str:
    from docx import Document

    try:
        doc = Document(io.BytesIO(content))
    except Exception as exc:  # python-docx raises several types for broken files
        raise FinmatchError(f"{name}：Word 文件无法打开（{type(exc).__name__}）", field="file") from exc
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:  # leaflets often put the terms in a table
        for row in table.rows:
            cells = list(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
            parts.append("：".join(cells) + "。")
    return "\n".join(parts)


def _pdf_text(name: str, content: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception as exc:  # pypdf raises several types for broken files
        raise FinmatchError(f"{name}：PDF 文件无法读取（{type(exc).__name__}）", field="file") from exc
    if not text.strip():
        raise FinmatchError(f"{name}：PDF 中没有可提取的文字（可能是扫描件），请上传文字版 PDF、Word 或文本",
                            field="file")
    # a PDF breaks lines inside sentences: join a line to the next unless it ends a sentence or a heading
    return re.sub(r"(?<![。；;：:！？!?])\n(?![一二三四五六七八九十\d（(]+[、.．)）])", "", text)


_SPLIT = re.compile(r"(?<=[。；;！？!?])|\n+")


def norm(text: str) -> str:
    """The form rules match on: NFKC (full-width digits, ％ and brackets to ASCII), no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def sentences(text: str) -> list[str]:
    """Sentences as written (split at 。；！？ and line breaks), whitespace collapsed, empty ones dropped."""
    text = text.replace("\r", "\n")
    out = []
    for part in _SPLIT.split(text):
        s = re.sub(r"[ \t\u3000]+", " ", part or "").strip()
        if len(s) >= 2:
            out.append(s)
    return out
