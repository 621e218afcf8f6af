"""Domain exceptions. Only the API layer turns them into HTTP errors; the CLI into exit codes."""

from __future__ import annotations

from dataclasses import dataclass, field


class FinmatchError(Exception):
    """Base of every domain error; ``code`` is stable and machine-readable, ``message`` Chinese."""

    code = "finmatch_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(FinmatchError):
    code = "not_found"


class UnauthorizedError(FinmatchError):
    """No API key, or one that is unknown, revoked or expired."""

    code = "unauthorized"


class InvalidParameterError(FinmatchError):
    """A query parameter the service cannot honour (unknown sort field, limit too large...)."""

    code = "invalid_parameter"


class EncodingRefusedError(FinmatchError):
    """An uploaded text file in an encoding that cannot be read as UTF-8 or GBK/GB18030."""

    code = "unknown_encoding"


class FontMissingError(FinmatchError):
    """No TrueType CJK font found: the PDF cannot be written with readable Chinese."""

    code = "font_missing"


class LeakageError(FinmatchError, ValueError):
    """Training data or a split would let a model see the future of the events it is scored on."""

    code = "training_leakage"


class ConflictError(FinmatchError):
    code = "conflict"


class PermissionDeniedError(FinmatchError):
    code = "forbidden"


class ModelUnavailableError(FinmatchError):
    """A model (ranker or embedding model) could not be loaded; nothing falls back silently."""

    code = "model_unavailable"


class ModelArtifactError(ModelUnavailableError):
    """A model file failed verification (changed file, unknown component, incompatible library version)."""

    code = "model_artifact_invalid"


class InfeasibleError(FinmatchError):
    code = "infeasible"


class RateLimitedError(FinmatchError):
    """Too many failed sign-ins or key checks from one address or key prefix; retry after a pause."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: float, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after_s = retry_after_s


class PayloadTooLargeError(FinmatchError):
    """An upload or a text over its documented size limit (refused before any parsing)."""

    code = "too_large"


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in an input file: where it is and why, in Chinese and English."""

    file: str
    row: str  # a 1-based spreadsheet row number ("行 3") or a JSON path ("$.projects[2]")
    field: str | None
    message: str
    entity: str | None = None
    sheet: str | None = None  # the worksheet of an XLSX file
    header: str | None = None  # the column header exactly as the user typed it
    value: str | None = None  # the cell value found, as text
    message_en: str | None = None  # an optional English rendering of ``message``
    column: int | None = None  # 0-based column of the offending cell in its sheet

    def __str__(self) -> str:
        where = f"{self.file}" + (f"#{self.sheet}" if self.sheet else "") + f":{self.row}"
        if self.header or self.field:
            where += f" [{self.header or self.field}]"
        return f"{where} {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message,
                "entity": self.entity, "sheet": self.sheet, "header": self.header, "value": self.value,
                "message_en": self.message_en}


@dataclass
class ImportValidationError(FinmatchError):
    """An import that found errors; nothing was written."""

    issues: list[ImportIssue] = field(default_factory=list)
    code = "import_invalid"

    def __post_init__(self) -> None:
        super().__init__(f"导入失败：发现 {len(self.issues)} 处错误，未写入任何数据 / import rejected: "
                         f"{len(self.issues)} error(s), nothing written")
