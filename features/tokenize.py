"""Chinese tokenisation for every text feature: jieba plus the committed domain dictionary.

Plain jieba splits pilot-test and finance terms (中试熟化 → 中试/熟化, 首台套 → 首台/套, 科创担 …), which
hurts BM25 and the sector classifier alike. We use a private ``jieba.Tokenizer`` so that loading our
dictionary never changes the global jieba state other code may rely on.
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


def normalise(text: str) -> str:
    """NFKC folds full-width letters, digits and brackets (Ｇ→G, （→() the way Excel exports mix them."""
    return unicodedata.normalize("NFKC", text)


def cut(text: str | None, search: bool = False) -> list[str]:
    """Raw jieba segmentation with the domain dictionary (punctuation and stop words kept).

    ``search=True`` is jieba's search mode: long words also yield their dictionary sub-words
    (首台套保险 → 首台, 保险, 首台套, 首台套保险), which helps recall in BM25.
    """
    if text is None or (isinstance(text, float) and text != text):  # NaN from pandas
        return []
    tk = get_tokenizer()
    norm = normalise(str(text))
    toks = tk.lcut_for_search(norm) if search else tk.lcut(norm)
    return [t for t in toks if t.strip()]


def tokenize(text: str | None, search: bool = False) -> list[str]:
    """Tokens for features: domain-aware jieba cut, lower-cased, without stop words, punctuation or numbers.

    Strings go through a small LRU cache keyed by the text: jieba's cut is the largest per-project cost
    of a match request, and a project page, its what-if and its export tokenise the same text again.
    """
    if isinstance(text, str):
        return list(_cached_tokens(text, search))
    return _tokenize(text, search)


def _tokenize(text: str | None, search: bool) -> list[str]:
    stops = stopwords()
    out = []
    for tok in cut(text, search=search):
        t = tok.strip().lower()
        if not t or t in stops or not _HAS_WORD.search(t) or _PURE_NUMBER.match(t):
            continue
        out.append(t)
    return out


@lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _cached_tokens(text: str, search: bool) -> tuple[str, ...]:
    return tuple(_tokenize(text, search))


def clear_token_cache() -> None:
    """Forget the cached tokens (benchmarks measure the cold cost with it; the dictionary never changes)."""
    _cached_tokens.cache_clear()


def analyzer(text: str | None) -> list[str]:
    """Picklable module-level callable for scikit-learn vectorisers (``analyzer=analyzer``)."""
    return tokenize(text)
