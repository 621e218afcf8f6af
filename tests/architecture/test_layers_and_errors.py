"""The import contract holds, domain errors live in one module with stable codes, and the eligibility
clauses have one registry that what-if reads through public accessors."""

from __future__ import annotations

import ast
import inspect
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from finmatch import exceptions
from finmatch.eligibility import CLAUSE_FIELDS, FAIL, PASS, UNKNOWN
from finmatch.eligibility.clause_registry import CLAUSES, clause

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("finmatch", "features", "training", "api", "app")


def test_import_linter_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe is not None, "import-linter is a dev dependency"
    out = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]
    assert "3 kept, 0 broken" in out.stdout


def _error_classes(tree: ast.AST) -> list[str]:
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = [ast.unparse(b) for b in node.bases]
            if any(b.split(".")[-1].endswith(("Error", "Exception")) for b in bases):
                out.append(node.name)
    return out


def test_domain_exceptions_are_declared_only_in_finmatch_exceptions() -> None:
    home = ROOT / "finmatch" / "exceptions.py"
    elsewhere = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path != home:
                elsewhere += [f"{path.relative_to(ROOT)}: {name}" for name in _error_classes(ast.parse(path.read_text("utf-8")))]
    assert elsewhere == []


def test_every_domain_error_has_a_unique_english_code_and_an_http_status() -> None:
    from api.errors import STATUS, status_of

    classes = [c for _, c in inspect.getmembers(exceptions, inspect.isclass)
               if issubclass(c, exceptions.FinmatchError) and c.__module__ == exceptions.__name__]
    codes = [c.code for c in classes]
    assert len(codes) == len(set(codes)) and all(re.fullmatch(r"[a-z][a-z_]+", code) for code in codes)
    assert {cls for cls, _ in STATUS} <= set(classes)
    for cls in classes:
        if cls is exceptions.ImportValidationError:
            continue
        exc = cls("消息", retry_after_s=1.0) if cls is exceptions.RateLimitedError else cls("消息")
        assert 400 <= status_of(exc) < 600


def test_the_registry_lists_every_clause_once_with_description_and_reason() -> None:
    assert tuple(c.field for c in CLAUSES) == CLAUSE_FIELDS
    assert all(re.search(r"[\u4e00-\u9fff]", c.description) for c in CLAUSES)
    project = {"sector": "biomedicine", "stage": "pilot", "trl": 5, "funding_need_wan": 500, "city": "南宁",
               "certifications": ["high_tech"], "annual_revenue_wan": 1000, "founded_year": 2015,
               "debt_ratio": 0.4, "net_profit_wan": 10, "has_collateral": True, "tax_grade": "B",
               "hazardous_chemicals": False, "three_firsts": ["first_set"]}
    product = {"sectors": ["biomedicine"], "stages": ["pilot"], "trl_min": 4, "trl_max": 7, "amount_min_wan": 100,
               "amount_max_wan": 1000, "cities": ["南宁"], "required_certifications_any": ["high_tech"],
               "min_revenue_wan": 500, "max_revenue_wan": 5000, "min_company_age_years": 3,
               "max_company_age_years": 20, "max_debt_ratio": 0.6, "requires_profit": True,
               "requires_collateral": True, "min_tax_grade": "B", "excludes_hazardous": True,
               "requires_three_firsts": True, "valid_to": "2027-12-31", "budget_wan": 3000, "family": "loan"}
    import datetime as dt

    for c in CLAUSES:
        texts = {c.reason(c.field, s, project, product, dt.date(2026, 11, 28)) for s in (PASS, FAIL, UNKNOWN)}
        assert all(re.search(r"[\u4e00-\u9fff]", t) for t in texts), c.field
    with pytest.raises(KeyError):
        clause("no_such_field")


def test_what_if_reads_only_public_accessors_of_the_result() -> None:
    source = (ROOT / "finmatch" / "eligibility" / "what_if.py").read_text("utf-8")
    source += (ROOT / "finmatch" / "eligibility" / "fixes.py").read_text("utf-8")
    assert not re.search(r"\bres\._", source)
