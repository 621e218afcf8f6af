"""Ranking: eligibility mask, then a scorer (learned or prior) over eligible pairs."""

from finmatch.matching.prior import PriorScorer
from finmatch.matching.ranking import ConfirmItem, IneligibleItem, MatchEngine, MatchItem, MatchResult
from finmatch.matching.scorer import PRIOR_VERSION, PairScorer, ScoredPairs

__all__ = ["PRIOR_VERSION", "ConfirmItem", "IneligibleItem", "MatchEngine", "MatchItem", "MatchResult", "PairScorer",
           "PriorScorer", "ScoredPairs"]
