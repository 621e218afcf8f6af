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


class ConflictError(FinmatchError):
    code = "conflict"


class PermissionDeniedError(FinmatchError):
    code = "forbidden"


class ModelUnavailableError(FinmatchError):
    """A model (ranker or embedding model) could not be loaded; nothing falls back silently."""

    code = "model_unavailable"


class NotAvailableYetError(FinmatchError):
    code = "not_available"


class InfeasibleError(FinmatchError):
    code = "infeasible"


@dataclass(frozen=True)
class ImportIssue:
    """One problem found in an input file: where it is and why, in Chinese and English."""

    file: str
    row: str  # a 1-based spreadsheet row number ("行 3") or a JSON path ("$.projects[2]")
    field: str | None
    message: str
    entity: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where} {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message,
                "entity": self.entity}


@dataclass
class ImportValidationError(FinmatchError):
    """An import that found errors; nothing was written."""

    issues: list[ImportIssue] = field(default_factory=list)
    code = "import_invalid"

    def __post_init__(self) -> None:
        super().__init__(f"导入失败：发现 {len(self.issues)} 处错误，未写入任何数据 / import rejected: "
                         f"{len(self.issues)} error(s), nothing written")
