"""CSV bytes to text: UTF-8, else GB18030 (GBK) only when that is what the file really is.

GB18030 maps almost any byte string to *some* characters, so a Shift-JIS or Big5 file "decodes" as
GB18030 into mojibake (``日本語テスト`` → ``擔杮岅僥僗僩``). charset-normalizer ranks the plausible
encodings by how chaotic the decoded text is; GB18030 is accepted only when it ranks (about) first,
and the file is refused with the detected encoding named otherwise.
"""

from __future__ import annotations

import json
import re

from finmatch.exceptions import EncodingRefusedError

GB_NAMES = {"gb18030", "gbk", "gb2312", "cp936", "hz"}
CHAOS_MARGIN = 0.05  # how much worse than the best guess GB18030 may look and still be taken
_KANA = re.compile(r"[\u3040-\u30ff]")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_NAMES_ZH = {"cp932": "Shift-JIS（日文）", "shift_jis": "Shift-JIS（日文）", "shift_jis_2004": "Shift-JIS（日文）",
             "euc_jp": "EUC-JP（日文）", "euc_jis_2004": "EUC-JP（日文）", "big5": "Big5（繁体中文）",
             "cp950": "Big5（繁体中文）", "cp949": "EUC-KR（韩文）", "euc_kr": "EUC-KR（韩文）",
             "utf_16_be": "UTF-16", "utf_16_le": "UTF-16", "utf_16": "UTF-16"}


def decode_table_text(content: bytes) -> tuple[str, str]:
    """(text, encoding used) for CSV bytes; EncodingRefusedError with a Chinese reason otherwise."""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    from charset_normalizer import from_bytes

    matches = list(from_bytes(content[:200_000]))
    best = matches[0] if matches else None
    gb = next((m for m in matches if m.encoding in GB_NAMES), None)
    plausible = text is not None and (best is None or (gb is not None and gb.chaos <= best.chaos + CHAOS_MARGIN))
    if plausible and text is not None:
        cjk = len(_CJK.findall(text))
        if cjk and len(_KANA.findall(text)) / cjk > 0.1:  # kana in a Chinese table: really Japanese
            plausible = False
    if plausible and text is not None:
        return text, "gb18030"
    guess = best.encoding if best is not None else None
    named = f"，检测到的编码可能是 {_NAMES_ZH.get(guess or '', guess)}" if guess else ""
    raise EncodingRefusedError(f"文件编码无法按 UTF-8 或 GBK/GB18030 正确读取{named}；请用 Excel 或记事本“另存为” UTF-8 "
                               "编码的 CSV 后重新导入", field="encoding")


_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
JSON_MAX_DEPTH = 32  # a v1 document is 4 deep (document → list → entity → extra)


def _refuse_constant(name: str) -> float:
    raise ValueError(f"不支持 {name}：数值必须是有限的数字")


def load_json_bounded(content: bytes) -> object:
    """json.loads with NaN/Infinity refused and nesting limited (a 100,000-deep document is an error,
    not a RecursionError)."""
    text = content.decode("utf-8-sig")
    depth = 0
    for m in _BRACKETS.finditer(_STRINGS.sub("", text)):  # brackets outside strings
        depth += 1 if m.group() in "[{" else -1
        if depth > JSON_MAX_DEPTH:
            raise ValueError(f"嵌套层数超过 {JSON_MAX_DEPTH} 层")
    return json.loads(text, parse_constant=_refuse_constant)
