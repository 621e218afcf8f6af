"""Which of a fixed list of words each project text contains, as bit masks (the prior's purpose and novelty
terms): one ``str.find`` pass per word over all texts joined, instead of one ``in`` per word and text."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate


def word_bits(texts: list[str], words: list[tuple[str, int]]) -> list[int]:
    """Per text, the OR of the bits of the words it contains (``word in text`` for each word). Many texts
    are searched as one string joined by NUL (no word holds one, so none spans two texts): one
    ``str.find`` pass per word instead of one search per word and text."""
    if len(texts) < 16:
        return [_bits_in(t, words) for t in texts]
    joined = "\x00".join(texts)
    starts = [0, *accumulate(len(t) + 1 for t in texts)]
    out = [0] * len(texts)
    for word, bit in words:
        at = joined.find(word)
        while at >= 0:
            k = bisect_right(starts, at) - 1
            out[k] |= bit
            at = joined.find(word, starts[k + 1])
    return out


def _bits_in(text: str, words: list[tuple[str, int]]) -> int:
    mask = 0
    for word, bit in words:
        if word in text:
            mask |= bit
    return mask


_WORDS: dict[str, list[tuple[str, int]]] = {}


def _words(what: str) -> list[tuple[str, int]]:
    """(word, bit) lists: ``purpose`` (bit of the word's tag, ``PURPOSES`` order), ``novel`` (bit 1)."""
    if what not in _WORDS:
        from finmatch.matching import prior as P

        _WORDS[what] = ([(w, 1 << b) for b, ws in enumerate(P.PURPOSES.values()) for w in ws] if what == "purpose"
                        else [(w, 1) for w in P.NOVEL_WORDS])
    return _WORDS[what]


def purpose_masks(texts: list[str]) -> list[int]:
    """``_bits(purposes_of(text), list(PURPOSES))`` of each text: the bits of the purposes it names."""
    return word_bits(texts, _words("purpose"))
