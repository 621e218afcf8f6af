"""Weighted domain-term matching per sector: the part of sector understanding that needs no data and no model.

The lexicon (``resources/sector_lexicon.json``) lists, per sector, terms with a weight of 3 (the term
defines the sector: what is made or the core process), 2 (strongly indicative) or 1 (weak, shared with
other sectors). Text is matched leftmost-longest against all terms at once, like a dictionary
segmentation (the same idea as jieba's dictionary, but deterministic and without splitting a domain
compound): ``电池铝箔`` is one hit for materials, not ``电池`` for storage plus ``铝箔``. Each distinct term
counts once; a hit in the project's name counts ``name_boost`` times (the name says what the project is).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from features.tokenize import normalise
from finmatch.enums import Sector

LEXICON_PATH = Path(str(resources.files("features") / "resources" / "sector_lexicon.json"))
SECTORS: tuple[str, ...] = tuple(s.value for s in Sector)


@dataclass(frozen=True)
class Lexicon:
    """Compiled lexicon: one regex over every term (longest first) and each term's weight per sector.

    ``hits`` scans with a dictionary of the term lengths per first character instead of running the
    regex: the same leftmost-longest, non-overlapping matches (the regex tries the terms longest first at
    each position), ~2.5× faster than sre's 760-way alternation."""

    pattern: re.Pattern[str]
    weights: dict[str, np.ndarray]  # term (lower-cased) -> weight per sector, aligned with SECTORS
    lengths: dict[str, tuple[int, ...]] = field(init=False)  # first character -> term lengths, longest first
    matrix: np.ndarray = field(init=False)  # (terms, sectors): the weights by row
    row: dict[str, int] = field(init=False)  # term -> row of ``matrix``

    def __post_init__(self) -> None:
        lengths: dict[str, list[int]] = {}
        for t in sorted(self.weights, key=lambda t: (-len(t), t)):
            sizes = lengths.setdefault(t[0], [])
            if len(t) not in sizes:
                sizes.append(len(t))  # longest first, as the regex tries them
        terms = list(self.weights)
        object.__setattr__(self, "lengths", {c: tuple(v) for c, v in lengths.items()})
        object.__setattr__(self, "matrix", np.array([self.weights[t] for t in terms]).reshape(len(terms), len(SECTORS)))
        object.__setattr__(self, "row", {t: k for k, t in enumerate(terms)})

    def hits(self, text: str) -> dict[str, int]:
        """Distinct matched terms and how often each occurs (non-overlapping, leftmost-longest)."""
        return self._scan(normalise(text).lower())

    def _scan(self, text: str) -> dict[str, int]:
        out: dict[str, int] = {}
        terms, lengths = self.weights, self.lengths
        i, n = 0, len(text)
        while i < n:
            for size in lengths.get(text[i], ()):
                term = text[i:i + size]
                if term in terms:
                    out[term] = out.get(term, 0) + 1
                    i += size
                    break
            else:
                i += 1
        return out

    def score(self, text: str, name: str | None = None, name_boost: float = 1.5) -> np.ndarray:
        """Sum of the weights of distinct matched terms, per sector (shape ``(len(SECTORS),)``)."""
        name_terms = set(self.hits(name)) if name else set()
        found = list(self.hits(text))
        if not found:
            return np.zeros(len(SECTORS))
        factor = np.array([name_boost if term in name_terms else 1.0 for term in found])
        # added in match order from 0, as ``total += weights[term] * factor`` term by term (cumsum is sequential)
        return np.cumsum(self.matrix[[self.row[t] for t in found]] * factor[:, None], axis=0)[-1]

    def evidence(self, text: str, sector: str, k: int = 3) -> list[str]:
        """The heaviest matched terms for one sector, for the reason a user reads."""
        j = SECTORS.index(sector)
        found = [(self.weights[t][j], t) for t in self.hits(text) if self.weights[t][j] > 0]
        return [t for _, t in sorted(found, key=lambda x: (-x[0], -len(x[1])))[:k]]


def _load(path: Path) -> Lexicon:
    raw = json.loads(path.read_text("utf-8"))
    weights: dict[str, np.ndarray] = {}
    for sector, groups in raw.items():
        if sector.startswith("_"):
            continue
        j = SECTORS.index(Sector.parse(sector).value)
        for weight, terms in groups.items():
            for term in terms:
                key = normalise(term).lower()
                vec = weights.setdefault(key, np.zeros(len(SECTORS)))
                vec[j] = max(vec[j], float(weight))
    ordered = sorted(weights, key=lambda t: (-len(t), t))
    pattern = re.compile("|".join(re.escape(t) for t in ordered))
    return Lexicon(pattern, weights)


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> Lexicon:
    """The shipped lexicon (or another file with the same layout), compiled once per process."""
    return _load(Path(path) if path else LEXICON_PATH)


def lexicon_scores(texts: list[str], names: list[str | None] | None = None, lexicon: Lexicon | None = None) -> np.ndarray:
    """``(n, 11)`` lexicon scores for n texts."""
    lex = lexicon or load_lexicon()
    names = names if names is not None else [None] * len(texts)
    if not texts:
        return np.zeros((0, len(SECTORS)))
    return np.vstack([lex.score(t, n) for t, n in zip(texts, names, strict=True)])
