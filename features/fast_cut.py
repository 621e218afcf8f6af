"""jieba's accurate and search-mode cut (HMM on), re-implemented for speed with exactly jieba's output.

``jieba.Tokenizer.cut`` spends most of its time in Python overhead: a DAG dict of lists per block, a
generator of tuples and a ``log`` per candidate word, a dict-of-dicts Viterbi per unknown run. This
module runs the same algorithm with the same floating-point operations in the same order (so every
``max`` decision and every tie-break is the same) without that overhead, and caches:

- by dictionary (kept by ``clear()``): the candidate words starting at a position, keyed by the next 2,
  3 or 6 characters (jieba's prefix walk stops within 3 characters at nine positions in ten, so such a
  window decides the candidates), and the search-mode sub-words and kept tokens of each word;
- by text (emptied by ``clear()``): the HMM cut of each unknown run of characters and the words of each
  block (jieba cuts a sentence into runs of Han/ASCII characters and the rest, each on its own; the same
  clause recurs across project texts).

Every cache is keyed by exactly what jieba's result depends on, so a hit gives the uncached words.
All are emptied when the dictionary changes through the tokenizer (``add_word``/``del_word`` change
``total``, the size of ``FREQ`` or jieba's global force-split set; a change that moves none of them,
such as deleting a word again after re-adding it, is not noticed: our dictionary is fixed after setup).
``tests/features/test_tokenize_fast.py`` compares the result with jieba token for token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from math import log
from typing import TypeVar

import jieba
from jieba import finalseg

# jieba 0.42.1's block patterns (jieba.cut with cut_all=False) and its HMM's (finalseg.cut).
_RE_HAN = jieba.re_han_default
_RE_SKIP = jieba.re_skip_default
_HMM_HAN = finalseg.re_han
_HMM_SKIP = finalseg.re_skip
_MIN = finalseg.MIN_FLOAT
# Entries per cache; a cache that outgrows its bound is emptied (bounded memory, the same words).
MAX_INDEX = 100_000  # dictionary windows and words: a few tens of bytes each, candidate tuples shared
MAX_TEXTS = 20_000  # blocks and HMM runs (a block is a clause: ~3,000 projects' worth)
_V = TypeVar("_V")


def _hmm_states(obs: str) -> list[str]:
    """``finalseg.viterbi(obs, 'BMES', …)[1]`` with the same sums in the same order and the same ties.

    jieba takes ``max`` of ``(prob, state)`` tuples, so equal probabilities go to the larger state letter:
    B from (E, S) → S, M from (M, B) → M, S from (S, E) → S, E from (B, M) → M, and the last state from
    (E, S) → S. Each sum is ``V[t-1][y0] + trans[y0][y] + emit[y][char]``, left to right, as in jieba.
    """
    sp, tp, ep = finalseg.start_P, finalseg.trans_P, finalseg.emit_P
    e_b, e_m, e_e, e_s = ep["B"], ep["M"], ep["E"], ep["S"]
    t_eb, t_sb = tp["E"].get("B", _MIN), tp["S"].get("B", _MIN)
    t_mm, t_bm = tp["M"].get("M", _MIN), tp["B"].get("M", _MIN)
    t_ss, t_es = tp["S"].get("S", _MIN), tp["E"].get("S", _MIN)
    t_be, t_me = tp["B"].get("E", _MIN), tp["M"].get("E", _MIN)
    c = obs[0]
    v_b = sp["B"] + e_b.get(c, _MIN)
    v_m = sp["M"] + e_m.get(c, _MIN)
    v_e = sp["E"] + e_e.get(c, _MIN)
    v_s = sp["S"] + e_s.get(c, _MIN)
    back: list[tuple[str, str, str, str]] = []
    for c in obs[1:]:
        em = e_b.get(c, _MIN)
        a, b = v_e + t_eb + em, v_s + t_sb + em
        n_b, p_b = (b, "S") if b >= a else (a, "E")
        em = e_m.get(c, _MIN)
        a, b = v_m + t_mm + em, v_b + t_bm + em
        n_m, p_m = (a, "M") if a >= b else (b, "B")
        em = e_s.get(c, _MIN)
        a, b = v_s + t_ss + em, v_e + t_es + em
        n_s, p_s = (a, "S") if a >= b else (b, "E")
        em = e_e.get(c, _MIN)
        a, b = v_b + t_be + em, v_m + t_me + em
        n_e, p_e = (b, "M") if b >= a else (a, "B")
        back.append((p_b, p_m, p_e, p_s))
        v_b, v_m, v_e, v_s = n_b, n_m, n_e, n_s
    state = "S" if v_s >= v_e else "E"
    states = [state]
    for p_b, p_m, p_e, p_s in reversed(back):
        state = p_b if state == "B" else p_m if state == "M" else p_e if state == "E" else p_s
        states.append(state)
    states.reverse()
    return states


def _hmm_words(run: str) -> list[str]:
    """``finalseg.__cut(run)``: the words of the Viterbi states (B…E spans, S singles, a trailing rest)."""
    states = _hmm_states(run)
    out = []
    begin = nexti = 0
    for i, pos in enumerate(states):
        if pos == "B":
            begin = i
        elif pos == "E":
            out.append(run[begin:i + 1])
            nexti = i + 1
        elif pos == "S":
            out.append(run[i])
            nexti = i + 1
    if nexti < len(run):
        out.append(run[nexti:])
    return out


def hmm_cut(buf: str) -> list[str]:
    """``list(finalseg.cut(buf))``: Han runs by Viterbi (force-split words back to characters), the rest by regex."""
    force = finalseg.Force_Split_Words
    out: list[str] = []
    for blk in _HMM_HAN.split(buf):
        if _HMM_HAN.match(blk):
            for word in _hmm_words(blk):
                if word in force:
                    out.extend(word)
                else:
                    out.append(word)
        else:
            out.extend(x for x in _HMM_SKIP.split(blk) if x)
    return out


class FastCutter:
    """Exact, cached ``lcut`` / ``lcut_for_search`` (HMM on) of one ``jieba.Tokenizer``.

    ``keep`` maps a raw word to the token a caller keeps (or ``None`` / ``""`` to drop it): ``tokens(s, m)
    == [keep(w) for w in lcut(s, m) if keep(w)]``, cached per block and per word. Reading and filling
    the caches from several threads is safe (single dict operations; a lost race recomputes).
    """

    def __init__(self, tokenizer: jieba.Tokenizer, keep: Callable[[str], str | None] | None = None,
                 max_index: int = MAX_INDEX, max_texts: int = MAX_TEXTS) -> None:
        tokenizer.check_initialized()
        self._tk = tokenizer
        self._keep = keep
        self._max_index = max_index
        self._max_texts = max_texts
        self._lock = threading.Lock()
        self._reset_index()
        self._reset_texts()

    # --- caches ----------------------------------------------------------------------------------
    def _dict_state(self) -> tuple[int, int, int]:
        return self._tk.total, len(self._tk.FREQ), len(finalseg.Force_Split_Words)

    def _reset_index(self) -> None:
        """What depends on the dictionary only: candidate words per 2/3/6-character window, per word."""
        self._state = self._dict_state()
        self._freq = self._tk.FREQ
        self._logtotal = log(self._tk.total)
        self._unknown = ((1, 0.0 - self._logtotal),)  # jieba: log(FREQ.get(c) or 1) - logtotal
        self._shared: dict[tuple[tuple[int, float], ...], tuple[tuple[int, float], ...]] = {}
        self._pair: dict[str, tuple[tuple[int, float], ...]] = {}
        self._short: dict[str, tuple[tuple[int, float], ...]] = {}
        self._long: dict[str, tuple[tuple[int, float], ...]] = {}
        self._expanded: dict[str, tuple[str, ...]] = {}
        self._kept_word: tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = ({}, {})

    def _reset_texts(self) -> None:
        """What is keyed by text: the words of each block, the HMM cut of each unknown run."""
        self._hmm: dict[str, tuple[str, ...]] = {}
        self._words: tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = ({}, {})
        self._kept: tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]] = ({}, {})

    def clear(self, index: bool = False) -> None:
        """Forget the cached blocks and runs (and with ``index`` the dictionary windows and words too)."""
        with self._lock:
            if index:
                self._reset_index()
            self._reset_texts()

    def _check(self) -> None:
        if self._dict_state() != self._state:
            self.clear(index=True)

    def _store(self, cache: dict[str, _V], key: str, value: _V, bound: int) -> _V:
        if len(cache) >= bound:
            cache.clear()
        cache[key] = value
        return value

    # --- one block -------------------------------------------------------------------------------
    def _walk(self, s: str, k: int, n: int) -> tuple[tuple[int, float], ...]:
        """jieba's ``DAG[k]`` with each word's ``log(freq) - logtotal``, shortest word first.

        jieba walks ``s[k:i+1]`` while it is in ``FREQ`` (every prefix of a word is, with frequency 0),
        so the candidates depend only on the characters read. The result is cached under the next
        2, 3 or 6 characters when the walk stopped inside them or at the block end (the route looks up
        3 first); longer walks (a few in a thousand positions) are redone.
        """
        hit = self._pair.get(s[k:k + 2])
        if hit is not None:  # decided within 2 characters, so within 3
            return self._store(self._short, s[k:k + 3], hit, self._max_index)
        hit = self._long.get(s[k:k + 6])
        if hit is not None:
            return hit
        get, logtotal = self._freq.get, self._logtotal
        found: list[tuple[int, float]] = []
        i = k
        f = get(s[k])
        while f is not None:
            if f:
                found.append((i - k + 1, log(f) - logtotal))
            i += 1
            if i >= n:
                break
            f = get(s[k:i + 1])
        cands = tuple(found) if found else self._unknown
        if len(self._shared) >= self._max_index:
            self._shared.clear()
        cands = self._shared.setdefault(cands, cands)  # many windows share a candidate list
        # The walk read s[k:i+1] (s[k:n] if it reached the block end): a window of w characters decides
        # it when i - k < w (a shorter window at the block end only recurs at a block end).
        if i - k < 2:
            self._store(self._pair, s[k:k + 2], cands, self._max_index)
        if i - k < 3:
            self._store(self._short, s[k:k + 3], cands, self._max_index)
        elif i - k < 6:
            self._store(self._long, s[k:k + 6], cands, self._max_index)
        return cands

    def _route(self, s: str) -> list[int]:
        """``calc``'s route as the end of the best word starting at each position.

        jieba takes ``max`` of ``(log(freq) - logtotal + route[x+1][0], x)``: the same sums here, and an
        equal score goes to the larger ``x`` (candidates come shortest first, so ``>=`` keeps the later).
        """
        n = len(s)
        score = [0.0] * (n + 1)
        end = [0] * (n + 1)
        get = self._short.get
        walk = self._walk
        for k in range(n - 1, -1, -1):
            cands = get(s[k:k + 3]) or walk(s, k, n)
            if len(cands) == 1:
                length, w = cands[0]
                score[k] = w + score[k + length]
                end[k] = k + length
                continue
            best = 0.0
            best_end = 0
            for length, w in cands:
                c = w + score[k + length]
                if not best_end or c >= best:
                    best = c
                    best_end = k + length
            score[k] = best
            end[k] = best_end
        return end

    def _hmm_cut(self, buf: str) -> tuple[str, ...]:
        words = self._hmm.get(buf)
        if words is None:
            words = self._store(self._hmm, buf, tuple(hmm_cut(buf)), self._max_texts)
        return words

    def cut_block(self, s: str) -> list[str]:
        """``Tokenizer.__cut_DAG(s)``: the route's words, runs of single characters joined and re-cut by HMM.

        A run of one character stays; a longer run that is itself a dictionary word is split into its
        characters, any other goes to the HMM (jieba's rules, in its order).
        """
        end = self._route(s)
        get = self._freq.get
        out: list[str] = []
        n = len(s)
        x = 0
        run = -1  # start of the current run of single-character words, -1 when none
        while x < n:
            y = end[x]
            if y - x == 1:
                if run < 0:
                    run = x
            else:
                if run >= 0:
                    if x - run == 1:
                        out.append(s[run])
                    else:
                        buf = s[run:x]
                        out += self._hmm_cut(buf) if not get(buf) else buf
                    run = -1
                out.append(s[x:y])
            x = y
        if run >= 0:
            if n - run == 1:
                out.append(s[run])
            else:
                buf = s[run:]
                out += self._hmm_cut(buf) if not get(buf) else buf
        return out

    def _piece_cut(self, piece: str, han: bool) -> list[str]:
        """jieba.cut on one piece of ``re_han.split``: a block by the DAG, else whitespace runs and characters."""
        if han:
            return self.cut_block(piece)
        out: list[str] = []
        for x in _RE_SKIP.split(piece):
            if _RE_SKIP.match(x):
                out.append(x)
            else:
                out.extend(x)
        return out

    def _expand(self, word: str) -> tuple[str, ...]:
        """``cut_for_search`` for one word: its dictionary 2-grams, then 3-grams (longer words), then itself."""
        hit = self._expanded.get(word)
        if hit is not None:
            return hit
        get = self._freq.get
        n = len(word)
        out = [g for g in (word[i:i + 2] for i in range(n - 1)) if get(g)] if n > 2 else []
        if n > 3:
            out.extend(g for g in (word[i:i + 3] for i in range(n - 2)) if get(g))
        out.append(word)
        return self._store(self._expanded, word, tuple(out), self._max_index)

    def _piece_words(self, piece: str, han: bool, search: bool) -> tuple[str, ...]:
        cache = self._words[search]
        words = cache.get(piece)
        if words is None:
            raw = self._piece_cut(piece, han)
            if search:
                expand = self._expand
                raw = [g for w in raw for g in (expand(w) if len(w) > 2 else (w,))]
            words = self._store(cache, piece, tuple(raw), self._max_texts)
        return words

    def _word_tokens(self, word: str, search: bool) -> tuple[str, ...]:
        cache = self._kept_word[search]
        hit = cache.get(word)
        if hit is None:
            keep = self._keep
            grams = self._expand(word) if search and len(word) > 2 else (word,)
            kept = grams if keep is None else tuple(t for t in map(keep, grams) if t)
            hit = self._store(cache, word, kept, self._max_index)
        return hit

    # --- sentences -------------------------------------------------------------------------------
    def lcut(self, sentence: str, search: bool = False) -> list[str]:
        """``tokenizer.lcut(sentence)`` or, with ``search``, ``tokenizer.lcut_for_search(sentence)``."""
        self._check()
        out: list[str] = []
        for n, piece in enumerate(_RE_HAN.split(sentence)):
            if piece:  # re.split with one group alternates: the odd pieces are the Han/ASCII blocks
                out.extend(self._piece_words(piece, n % 2 == 1, search))
        return out

    def tokens(self, sentence: str, search: bool = False) -> list[str]:
        """``[keep(w) for w in lcut(sentence, search) if keep(w)]``, cached per block and per word."""
        self._check()
        cache = self._kept[search]
        word_cache = self._kept_word[search]
        out: list[str] = []
        for n, piece in enumerate(_RE_HAN.split(sentence)):
            if not piece:
                continue
            kept = cache.get(piece)
            if kept is None:
                found: list[str] = []
                for w in self._piece_cut(piece, n % 2 == 1):
                    toks = word_cache.get(w)
                    found += self._word_tokens(w, search) if toks is None else toks
                kept = self._store(cache, piece, tuple(found), self._max_texts)
            out.extend(kept)
        return out
