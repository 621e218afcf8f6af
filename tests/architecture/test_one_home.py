"""Each domain constant has one home, ``finmatch/enums.py``: no other product module re-declares it.

An AST scan for literals that spell out a whole enumeration again: every stage code, every product
family, the tax-grade ranks, or an outcome-stage → grade map.
"""

from __future__ import annotations

import ast
from pathlib import Path

from finmatch.enums import FAMILY_CODES, STAGE_CODES, TAX_GRADE_RANK

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("finmatch", "features", "training", "api", "app")
HOME = ROOT / "finmatch" / "enums.py"


def _strings(nodes: list[ast.expr | None]) -> set[str]:
    return {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _ints(nodes: list[ast.expr]) -> bool:
    return bool(nodes) and all(isinstance(n, ast.Constant) and isinstance(n.value, int) for n in nodes)


def duplicates(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            values = _strings(list(node.elts))
            if set(STAGE_CODES) <= values:
                found.append((node.lineno, "stage codes (use finmatch.enums.STAGE_CODES / Stage)"))
            if set(FAMILY_CODES) <= values:
                found.append((node.lineno, "family codes (use finmatch.enums.FAMILY_CODES / Family)"))
        elif isinstance(node, ast.Dict):
            keys = _strings(list(node.keys))
            if set(TAX_GRADE_RANK) <= keys and _ints(list(node.values)):
                found.append((node.lineno, "tax-grade ranks (use finmatch.enums.TAX_GRADE_RANK)"))
            if {"meeting", "signed"} <= keys and _ints(list(node.values)):
                found.append((node.lineno, "outcome-stage grades (use finmatch.enums.OUTCOME_GRADE)"))
    return found


def test_the_scan_finds_a_redeclaration() -> None:
    bad = ast.parse('X = ("tech_research", "proof_of_concept", "pilot", "incubation", "scale_up")\n'
                    'Y = {"A": 4, "B": 3, "M": 2, "C": 1, "D": 0}\nZ = {"meeting": 1, "signed": 3}')
    assert [what.split(" (")[0] for _, what in duplicates(bad)] == ["stage codes", "tax-grade ranks",
                                                                   "outcome-stage grades"]
    assert duplicates(ast.parse(HOME.read_text("utf-8")))  # the home itself spells them out


def test_no_product_module_redeclares_a_domain_constant() -> None:
    hits = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == HOME:
                continue
            for line, what in duplicates(ast.parse(path.read_text("utf-8"))):
                hits.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert hits == []
