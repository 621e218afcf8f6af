"""Chinese tokenisation for every text feature: jieba plus the committed domain dictionary.

Plain jieba splits pilot-test and finance terms (中试熟化 → 中试/熟化, 首台套 → 首台/套, 科创担 …), which
hurts BM25 and the sector classifier alike. We use a private ``jieba.Tokenizer`` so that loading our
dictionary never changes the global jieba state other code may rely on.

The cut itself runs through ``features.fast_cut.FastCutter``: jieba's algorithm re-implemented without
its Python overhead and cached per block of text, giving exactly ``lcut`` / ``lcut_for_search``'s words
(tested token for token against jieba) at a fraction of the cost.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jieba

from features.fast_cut import FastCutter

logger = logging.getLogger(__name__)

_RESOURCES = resources.files("features") / "resources"
USERDICT_PATH = Path(str(_RESOURCES / "userdict.txt"))
STOPWORDS_PATH = Path(str(_RESOURCES / "stopwords.txt"))

# A token is kept only if it carries a letter or a CJK character; pure numbers, units and punctuation go.
_HAS_WORD = re.compile(r"[A-Za-z\u3400-\u4dbf\u4e00-\u9fff]")
_PURE_NUMBER = re.compile(r"^[\d.,%]+$")
_lock = threading.Lock()
TOKEN_CACHE_SIZE = 2048  # distinct texts whose tokens are kept (a few MB at most)


def _read_lines(path: Path) -> list[str]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            out.append(line)
    return out


def userdict_terms() -> list[str]:
    """The domain terms of ``resources/userdict.txt`` (first column), in file order."""
    return [line.split()[0] for line in _read_lines(USERDICT_PATH)]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_read_lines(STOPWORDS_PATH))


_tokenizer: jieba.Tokenizer | None = None
_cutter: FastCutter | None = None


def get_tokenizer() -> jieba.Tokenizer:
    """A jieba tokenizer with the domain dictionary, built once per process (about a second).

    Double-checked under a lock: concurrent first requests in a server must wait for one build,
    not each build their own.
    """
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build_tokenizer()
    return _tokenizer


def _build_tokenizer() -> jieba.Tokenizer:
    jieba.setLogLevel(logging.WARNING)  # jieba logs "Building prefix dict…" at DEBUG/INFO otherwise
    tk = jieba.Tokenizer()
    tk.initialize()
    for line in _read_lines(USERDICT_PATH):
        parts = line.split()
        word = parts[0]
        freq = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        tag = parts[2] if len(parts) > 2 else None
        tk.add_word(word, freq, tag)
    logger.debug("jieba tokenizer ready with %d domain terms", len(userdict_terms()))
    return tk


def get_cutter() -> FastCutter:
    """The exact fast cutter over ``get_tokenizer()`` (built on first use; it precomputes nothing)."""
    global _cutter
    if _cutter is None:
        tk = get_tokenizer()
        with _lock:
            if _cutter is None:
                _cutter = FastCutter(tk, keep=_keep)
    return _cutter


# Characters whose NFKC is per character: ASCII, CJK symbols (less the combining tone marks 302A-302F),
# CJK unified ideographs and full-width ASCII. None of them or their images is a combining mark or the
# second half of a canonical composition, so NFKC of a string of them is the concatenation of their NFKC
# (checked against unicodedata in tests/features/test_tokenize_fast.py). CPython's NFKC is ~10× slower.
_NFKC_PER_CHAR = re.compile(r"[\x00-\x7f\u3000-\u3029\u3030-\u303f\u4e00-\u9fff\uff01-\uff5e]*")
_NFKC_RANGES = ((0x00, 0x80), (0x3000, 0x302A), (0x3030, 0x3040), (0x4E00, 0xA000), (0xFF01, 0xFF5F))
_NFKC_OF = {chr(c): unicodedata.normalize("NFKC", chr(c)) for lo, hi in _NFKC_RANGES for c in range(lo, hi)
            if unicodedata.normalize("NFKC", chr(c)) != chr(c)}  # no image contains another key
_NFKC_CHANGES = re.compile("[" + "".join(re.escape(c) for c in sorted(_NFKC_OF)) + "]")


def normalise(text: str) -> str:
    """NFKC folds full-width letters, digits and brackets (Ｇ→G, （→() the way Excel exports mix them.

    Typical project text (ideographs, ASCII, full-width punctuation) is folded character by character;
    anything else goes through ``unicodedata.normalize`` (the same result either way)."""
    if _NFKC_PER_CHAR.fullmatch(text):
        for c in set(_NFKC_CHANGES.findall(text)):
            text = text.replace(c, _NFKC_OF[c])
        return text
    return unicodedata.normalize("NFKC", text)


def cut(text: str | None, search: bool = False) -> list[str]:
    """Raw jieba segmentation with the domain dictionary (punctuation and stop words kept).

    ``search=True`` is jieba's search mode: long words also yield their dictionary sub-words
    (首台套保险 → 首台, 保险, 首台套, 首台套保险), which helps recall in BM25.
    """
    if text is None or (isinstance(text, float) and text != text):  # NaN from pandas
        return []
    toks = get_cutter().lcut(normalise(str(text)), search)  # == tk.lcut_for_search / tk.lcut
    return [t for t in toks if t.strip()]


def tokenize(text: str | None, search: bool = False) -> list[str]:
    """Tokens for features: domain-aware jieba cut, lower-cased, without stop words, punctuation or numbers.

    Strings go through a small LRU cache keyed by the text: a project page, its what-if and its export
    tokenise the same text again, and even the fast cut costs ~0.1 ms per project text.
    """
    if isinstance(text, str):
        return list(_cached_tokens(text, search))
    return _tokenize(text, search)


def _keep(tok: str) -> str | None:
    """The token a raw jieba word gives (stripped, lower-cased), or None for blanks, stop words, numbers."""
    t = tok.strip().lower()
    if not t or t in stopwords() or not _HAS_WORD.search(t) or _PURE_NUMBER.match(t):
        return None
    return t


def _tokenize(text: str | None, search: bool) -> list[str]:
    """``[_keep(w) for w in cut(text, search) if _keep(w)]``; the cutter caches it per block and word."""
    if text is None or (isinstance(text, float) and text != text):  # NaN from pandas
        return []
    return get_cutter().tokens(normalise(str(text)), search)


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _cached_tokens(text: str, search: bool) -> tuple[str, ...]:
    return tuple(_tokenize(text, search))


def clear_token_cache(index: bool = False) -> None:
    """Forget the cached tokens: the text LRU and the cutter's blocks and HMM runs (benchmarks measure the
    cold cost of a new text with it). ``index=True`` also drops the cutter's dictionary windows and
    per-word tokens, which depend on the dictionary only, i.e. the state of a fresh process."""
    _cached_tokens.cache_clear()
    if _cutter is not None:
        _cutter.clear(index=index)


def analyzer(text: str | None) -> list[str]:
    """Picklable module-level callable for scikit-learn vectorisers (``analyzer=analyzer``)."""
    return tokenize(text)
