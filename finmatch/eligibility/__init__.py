"""Eligibility engine: which products a pilot project may be shown, why, and what would make one fit.

A product's constraint fields (``CLAUSE_FIELDS``) each become a clause evaluated, vectorised, over all
projects × products; a pair failing any clause is ineligible and must never be recommended.
"""

from finmatch.eligibility.evaluation import ClauseResult, EligibilityResult, evaluate
from finmatch.eligibility.values import CLAUSE_FIELDS, FAIL, NO_CONSTRAINT, PASS, UNKNOWN
from finmatch.eligibility.what_if import WhatIf

__all__ = ["CLAUSE_FIELDS", "FAIL", "NO_CONSTRAINT", "PASS", "UNKNOWN", "ClauseResult", "EligibilityResult",
           "WhatIf", "evaluate"]
