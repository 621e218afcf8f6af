"""The GB 32100-2015 unified social credit code (统一社会信用代码) and its check character."""

from __future__ import annotations

import random

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """The 18th character for the first 17; raises ValueError on a character outside the charset."""
    total = 0
    for ch, w in zip(first17, WEIGHTS, strict=True):
        if ch not in _VALUE:
            raise ValueError(f"非法字符 '{ch}' / invalid character '{ch}'")
        total += _VALUE[ch] * w
    return CHARSET[(31 - total % 31) % 31]


def validate(code: str) -> str:
    """Return the normalised code or raise ValueError with a bilingual reason."""
    text = code.strip().upper()
    if len(text) != 18:
        raise ValueError(f"统一社会信用代码应为18位，实为{len(text)}位 / credit code must have 18 characters")
    bad = [c for c in text if c not in _VALUE]
    if bad:
        raise ValueError(f"统一社会信用代码含非法字符 '{bad[0]}' / credit code has invalid character '{bad[0]}'")
    expected = check_character(text[:17])
    if text[17] != expected:
        raise ValueError(
            f"统一社会信用代码校验位错误：应为 {expected}，实为 {text[17]} / "
            f"wrong check character: expected {expected}, got {text[17]}"
        )
    return text


def generate(rng: random.Random, region_code: str = "450100") -> str:
    """A valid code for a company registered in Guangxi (登记管理部门 9, 类别 1 = enterprise)."""
    org = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    first17 = "91" + region_code + org
    return first17 + check_character(first17)
