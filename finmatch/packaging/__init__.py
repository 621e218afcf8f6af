"""投贷保担补 packages: one financing package per project (equity, loans, guarantees, insurance and
subsidies together), solved exactly with CP-SAT; a greedy baseline; steps, reasons and what-ifs."""

from finmatch.packaging.composer import ComposerModel, compose
from finmatch.packaging.figures import package_from_parts
from finmatch.packaging.greedy import solve_greedy
from finmatch.packaging.pareto import Solved, solve_all
from finmatch.packaging.problem import (
    OBJECTIVE_LABELS,
    OBJECTIVES,
    Candidate,
    Financials,
    Package,
    PackageOptions,
    PackageProblem,
    Part,
    Subsidy,
)
from finmatch.packaging.terms import build_problem, estimate_financials

__all__ = ["OBJECTIVES", "OBJECTIVE_LABELS", "Candidate", "ComposerModel", "Financials", "Package",
           "PackageOptions", "PackageProblem", "Part", "Solved", "Subsidy", "build_problem", "compose",
           "estimate_financials", "package_from_parts", "solve_all", "solve_greedy"]
