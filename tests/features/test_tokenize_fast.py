"""The fast cut is jieba's cut: token for token on every text we have, cold and cached, both modes.

``features.fast_cut.FastCutter`` re-implements jieba's DAG route and HMM with caches; these tests compare
it with the same private ``jieba.Tokenizer``'s own ``lcut`` / ``lcut_for_search`` on the generator's
project and product texts, the validation set, every string of the sample files, adversarial strings
and random strings, and ``tokenize`` with the filtering it replaced. They also check the per-character
NFKC shortcut of ``normalise`` against ``unicodedata``.
"""

from __future__ import annotations

import json
import random
import sys
import unicodedata
from pathlib import Path
from typing import Any

import jieba
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import tokenize as tok
from features.fast_cut import FastCutter, hmm_cut
from features.text import product_text, project_text
from finmatch.frames import products_frame, projects_frame
from finmatch.schemas import Document
from training.synthetic import generate_projects, load_catalogue
from training.synthetic.dataset import DEFAULT_PROJECTS, DEFAULT_SEED

ROOT = Path(__file__).resolve().parents[2]
JSON_FILES = [ROOT / "tests/data/validation/validation.json", ROOT / "tests/data/validation/labels.json",
              *sorted((ROOT / "data_samples").glob("*.json"))]

ADVERSARIAL = [
    "", " ", "\r\n", "\t\n \r\n", "　　", "---", "._%", "e.g.中试...", "3.5%的利率", "50%放款", "1%。",
    "ＡＢＣ１２３中试熟化ａｂｃ", "Ｇ－１２３", "建设ＧＭＰ中试车间", "GMP车间ISO9001认证5G+工业互联网",
    "abc123def中试熟化456.7%x-y+z#&_", "C++与C#开发", "AT&T", "4S店3D打印1号店",
    "𠀀𠀁中试㐀㐁鿖鿿熟化", "中试\u302a熟化", "ｶﾞｷﾞ中试", "\ufb01\u2160中试", "İstanbul中试",
    "首台套保险首台套保险首台套", "中试 熟化\t首台\n套", "！？。，、；：" * 50, "中试熟化　首台套",
    "中试" * 3000, "a" * 3000, "1" * 2000 + "中", "的" * 500, "中华人民共和国" * 200,
    "南宁澜禾新能源汽车有限公司成立于2018年", "我来到北京清华大学", "他来到了网易杭研大厦",
    "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
]


def _strings(obj: Any, out: list[str]) -> None:
    if isinstance(obj, str):
        out.append(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _strings(v, out)
    elif isinstance(obj, list):
        for v in obj:
            _strings(v, out)


def _frame_texts(doc: Document) -> list[str]:
    out: list[str] = []
    if doc.projects:
        out += list(project_text(projects_frame(doc.projects, {e.enterprise_id: e for e in doc.enterprises})))
    if doc.products:
        out += list(product_text(products_frame(doc.products, {i.institution_id: i for i in doc.institutions})))
    return out


@pytest.fixture(scope="module")
def texts() -> list[str]:
    """Raw project and product texts of the generator and the validation set, then every sample string."""
    raw = _frame_texts(load_catalogue())
    for n, seed in ((DEFAULT_PROJECTS, DEFAULT_SEED), (300, 20252)):  # generate_dataset()'s, the benchmark's
        enterprises, projects = generate_projects(n, seed, progress=False)
        raw += _frame_texts(Document(enterprises=enterprises, projects=projects))
    raw += _frame_texts(Document.model_validate_json(JSON_FILES[0].read_text(encoding="utf-8")))
    for path in JSON_FILES:
        _strings(json.loads(path.read_text(encoding="utf-8")), raw)
    raw += ADVERSARIAL
    return list(dict.fromkeys(raw))


def _old_tokenize(tk: jieba.Tokenizer, text: str, search: bool) -> list[str]:
    """``features.tokenize._tokenize`` as it was: jieba's own cut, then the token filter."""
    norm = unicodedata.normalize("NFKC", text)
    out = []
    for t in tk.lcut_for_search(norm) if search else tk.lcut(norm):
        t = t.strip().lower()
        if not t or t in tok.stopwords() or not tok._HAS_WORD.search(t) or tok._PURE_NUMBER.match(t):
            continue
        out.append(t)
    return out


def test_fast_cut_equals_jieba_on_every_text(texts: list[str]) -> None:
    tk = tok.get_tokenizer()
    cutter = FastCutter(tk)
    assert len(texts) > 3000
    for rnd in ("cold", "cached"):
        for text in texts:
            norm = tok.normalise(text)
            assert cutter.lcut(norm) == tk.lcut(norm), (rnd, text[:80])
            assert cutter.lcut(norm, search=True) == tk.lcut_for_search(norm), (rnd, text[:80])


def test_tokenize_equals_the_jieba_path(texts: list[str]) -> None:
    tk = tok.get_tokenizer()
    tok.clear_token_cache(index=True)
    for rnd in ("cold", "cached"):
        for text in texts:
            for search in (False, True):
                assert tok._tokenize(text, search) == _old_tokenize(tk, text, search), (rnd, search, text[:80])
                assert tok.tokenize(text, search=search) == _old_tokenize(tk, text, search)
        tok.clear_token_cache()  # the second round: blocks and LRU cold, dictionary windows warm
    assert tok.cut("中试熟化，首台套 保险") == [t for t in tk.lcut("中试熟化,首台套 保险") if t.strip()]


_ALPHABET = ("中试熟化首台套保险科创担贷款基金的了是在和与及等南宁澜禾新能源汽车有限公司成立于年月日我来到北京清华大学"
             "钠离子电池磷酸铁锂碳酸钙鿖鿿㐀𠀀abcXYZ0123456789+#&._%-/ ,.，。、（）()！？：；\t\n\r　ＡＢＣ１２３")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_fast_cut_equals_jieba_on_random_strings(text: str) -> None:
    tk = tok.get_tokenizer()
    cutter = tok.get_cutter()
    assert cutter.lcut(text) == tk.lcut(text)
    assert cutter.lcut(text, search=True) == tk.lcut_for_search(text)
    assert hmm_cut(text) == list(jieba.finalseg.cut(text))


def _small_tokenizer(tmp_path: Path, lines: str) -> jieba.Tokenizer:
    dict_file = tmp_path / "dict.txt"
    dict_file.write_text(lines, encoding="utf-8")
    tk = jieba.Tokenizer(str(dict_file))
    tk.tmp_dir = str(tmp_path)  # jieba's dictionary cache file goes to tmp_path, not /tmp
    tk.initialize()
    return tk


def test_route_ties_go_to_the_longer_word_as_in_jieba(tmp_path: Path) -> None:
    """甲乙+丙 and 甲+乙丙 score exactly alike: jieba's max over (score, end) takes the larger end."""
    tk = _small_tokenizer(tmp_path, "甲乙 10\n乙丙 10\n甲 5\n丙 5\n乙 1\n")
    assert tk.lcut("甲乙丙") == ["甲乙", "丙"]
    assert FastCutter(tk).lcut("甲乙丙") == ["甲乙", "丙"]


def test_hmm_ties_of_unknown_characters_as_in_jieba() -> None:
    """Characters the HMM has never seen make its sums absorb into MIN_FLOAT, so states tie often."""
    emit = jieba.finalseg.emit_P
    unseen = [chr(c) for c in range(0x4E00, 0x9FD6) if all(chr(c) not in emit[s] for s in "BMES")][:20]
    pool = unseen + list("中试熟化的了是在科技我来到北京清华大学")
    rng = random.Random(3)
    runs = ["".join(rng.choices(pool, k=rng.randint(1, 30))) for _ in range(2000)]
    tk = tok.get_tokenizer()
    cutter = FastCutter(tk)
    for run in runs:
        assert hmm_cut(run) == list(jieba.finalseg.cut(run)), run
        assert cutter.lcut(run) == tk.lcut(run), run


def test_cutter_follows_dictionary_changes(tmp_path: Path) -> None:
    """``add_word`` on the tokenizer empties the cutter's caches, as jieba would see the new word."""
    tk = _small_tokenizer(tmp_path, "中试 50 n\n熟化 40 v\n中 100 n\n试 80 v\n熟 30 a\n化 60 v\n阶段 90 n\n")
    cutter = FastCutter(tk)
    text = "中试熟化阶段"
    assert cutter.lcut(text) == tk.lcut(text) == ["中试", "熟化", "阶段"]
    tk.add_word("中试熟化", 1000)
    assert cutter.lcut(text) == tk.lcut(text) == ["中试熟化", "阶段"]
    assert cutter.lcut(text, search=True) == tk.lcut_for_search(text)


def test_private_tokenizer_still_leaves_global_jieba_alone() -> None:
    before = len(jieba.finalseg.Force_Split_Words)
    tok.tokenize("中试熟化首台套保险", search=True)
    assert "中试熟化" not in jieba.lcut("中试熟化阶段")
    assert not jieba.dt.initialized or "中试熟化" not in jieba.dt.FREQ
    assert len(jieba.finalseg.Force_Split_Words) == before


# --- normalise: per-character NFKC where it is exact ---------------------------------------------
def _composition_seconds() -> set[str]:
    """Characters with combining class 0 that a canonical composition takes as its second half."""
    out = set()
    for cp in range(sys.maxunicode + 1):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<") and len(parts := d.split()) == 2:
            second = chr(int(parts[1], 16))
            if unicodedata.combining(second) == 0:
                out.add(second)
    return out


def test_per_character_nfkc_set_is_safe() -> None:
    """No character of the shortcut set, nor any of their images, combines with a neighbour under NFKC."""
    seconds = _composition_seconds()
    for lo, hi in tok._NFKC_RANGES:
        for cp in range(lo, hi):
            ch = chr(cp)
            image = unicodedata.normalize("NFKC", ch)
            assert tok._NFKC_PER_CHAR.fullmatch(ch)
            for c in ch + image:
                assert unicodedata.combining(c) == 0 and c not in seconds, hex(cp)
                assert not (0xAC00 <= ord(c) < 0xD7B0 or 0x1100 <= ord(c) < 0x1200), hex(cp)  # Hangul
            assert tok._NFKC_OF.get(ch, ch) == image
            assert not set(image) & set(tok._NFKC_OF), hex(cp)  # one replacement pass suffices


def test_normalise_equals_unicodedata(texts: list[str]) -> None:
    rng = random.Random(7)
    alphabet = [chr(c) for lo, hi in tok._NFKC_RANGES for c in range(lo, hi)]
    samples = ["".join(rng.choices(alphabet, k=rng.randint(0, 80))) for _ in range(3000)]
    for text in texts + ADVERSARIAL + samples:
        assert tok.normalise(text) == unicodedata.normalize("NFKC", text), text[:80]
