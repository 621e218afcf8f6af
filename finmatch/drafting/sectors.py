"""Which sectors a notice supports: an interface, and the keyword rule the core ships with.

The composition root may pass a richer finder (for example one built on the matching's sector
understanding) to :func:`finmatch.drafting.draft_product`; the core never imports ``features``.
"""

from __future__ import annotations

from typing import Protocol

from finmatch.drafting.text import norm

# Words naming each sector in policy texts (longest match wins: 新能源汽车 is not 新能源).
SECTOR_WORDS: dict[str, tuple[str, ...]] = {
    "artificial_intelligence": ("人工智能", "大模型", "AI"),
    "high_end_equipment": ("高端装备", "智能制造装备", "装备制造", "工程机械", "数控机床", "工业机器人", "机器人"),
    "advanced_materials": ("先进新材料", "新材料", "先进材料", "稀土材料", "铝基材料"),
    "next_gen_it": ("新一代信息技术", "电子信息", "集成电路", "半导体", "软件和信息服务", "数字经济"),
    "green_chemicals": ("绿色化工", "精细化工", "石化"),
    "new_energy_storage": ("新能源及储能", "新能源", "储能", "锂电", "光伏", "氢能", "动力电池"),
    "biomedicine": ("生物医药", "医疗器械", "生物制药", "中医药", "医药"),
    "modern_agriculture": ("现代特色农林业", "现代农业", "特色农林", "农林", "种业", "糖业", "农业"),
    "marine_economy": ("海洋经济", "向海经济", "海洋"),
    "green_low_carbon": ("绿色低碳", "节能环保", "低碳", "环保"),
    "new_energy_vehicles": ("新能源汽车", "智能网联汽车", "电动汽车"),
}
CUES = ("领域", "产业", "行业", "方向", "聚焦", "重点支持", "围绕", "赛道")


class SectorFinder(Protocol):
    """Finds the supported sectors in a notice's sentences: (sector codes, the evidence sentence)."""

    def find(self, sentences: list[str]) -> tuple[list[str], str | None]: ...


class KeywordSectors:
    """Sector words in sentences that speak of fields (领域, 产业, 方向 …); the first such sentence wins."""

    def find(self, sentences: list[str]) -> tuple[list[str], str | None]:
        terms = sorted(((w, code) for code, words in SECTOR_WORDS.items() for w in words),
                       key=lambda t: -len(t[0]))
        for sentence in sentences:
            text = norm(sentence)
            if not any(c in text for c in CUES):
                continue
            found: list[tuple[int, str]] = []
            for word, code in terms:
                while word in text:
                    found.append((text.index(word), code))
                    text = text.replace(word, "#" * len(word), 1)
            codes = list(dict.fromkeys(code for _, code in sorted(found)))
            if codes:
                return codes, sentence
        return [], None
