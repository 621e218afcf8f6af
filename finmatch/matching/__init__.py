"""Ranking: eligibility mask, then a scorer (learned or prior) over eligible pairs."""

from finmatch.matching.ranking import IneligibleItem, MatchEngine, MatchItem, MatchResult
from finmatch.matching.scorer import PRIOR_VERSION, PairScorer, PriorScorer, ScoredPairs

__all__ = ["PRIOR_VERSION", "IneligibleItem", "MatchEngine", "MatchItem", "MatchResult", "PairScorer",
           "PriorScorer", "ScoredPairs"]
