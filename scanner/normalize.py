"""Length-preserving normalisation for matching.

Every function here maps one character to exactly one character, so an offset in the
normalised text is the same offset in the original text: evidence spans found on the
normalised form point at the original characters without any offset map.

Normalised: Kangxi radicals and CJK radicals supplement (⼈⺠ → 人民), CJK compatibility
ideographs, full-width ASCII letters/digits (ＡＢ１２ → AB12), ideographic space, and
half-width punctuation to its full-width form (so rules are written with one set of
punctuation: ，；：（）！？), and — for a clause written in traditional script — traditional
characters to simplified ones (character by character, so still length-preserving).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# CJK Radicals Supplement: NFKC leaves most of these alone; map the common ones.
_RADICALS_SUPPLEMENT = {
    "⺀": "冫",
    "⺁": "厂",
    "⺄": "乙",
    "⺅": "亻",
    "⺆": "冂",
    "⺈": "刀",
    "⺊": "卜",
    "⺋": "卩",
    "⺌": "小",
    "⺍": "小",
    "⺎": "兀",
    "⺐": "尢",
    "⺒": "巳",
    "⺓": "幺",
    "⺔": "彐",
    "⺖": "忄",
    "⺗": "心",
    "⺘": "扌",
    "⺙": "攵",
    "⺛": "旡",
    "⺝": "月",
    "⺞": "歹",
    "⺟": "母",
    "⺠": "民",
    "⺡": "氵",
    "⺢": "氵",
    "⺣": "灬",
    "⺤": "爫",
    "⺦": "丬",
    "⺧": "牛",
    "⺨": "犭",
    "⺩": "王",
    "⺪": "疋",
    "⺫": "目",
    "⺬": "示",
    "⺭": "礻",
    "⺮": "竹",
    "⺯": "糸",
    "⺰": "纟",
    "⺲": "罒",
    "⺳": "网",
    "⺴": "网",
    "⺵": "网",
    "⺶": "羊",
    "⺷": "羊",
    "⺹": "耂",
    "⺺": "肀",
    "⺻": "聿",
    "⺼": "肉",
    "⺽": "臼",
    "⺾": "艹",
    "⺿": "艹",
    "⻀": "艹",
    "⻁": "虎",
    "⻂": "衤",
    "⻃": "襾",
    "⻄": "西",
    "⻅": "见",
    "⻆": "角",
    "⻇": "角",
    "⻈": "讠",
    "⻉": "贝",
    "⻊": "足",
    "⻋": "车",
    "⻌": "辶",
    "⻍": "辶",
    "⻎": "辶",
    "⻏": "阝",
    "⻐": "钅",
    "⻑": "長",
    "⻒": "镸",
    "⻓": "长",
    "⻔": "门",
    "⻕": "阝",
    "⻖": "阝",
    "⻗": "雨",
    "⻘": "青",
    "⻙": "韦",
    "⻚": "页",
    "⻛": "风",
    "⻜": "飞",
    "⻝": "食",
    "⻞": "食",
    "⻟": "食",
    "⻠": "饣",
    "⻡": "首",
    "⻢": "马",
    "⻣": "骨",
    "⻤": "鬼",
    "⻥": "鱼",
    "⻦": "鸟",
    "⻧": "卤",
    "⻨": "麦",
    "⻩": "黄",
    "⻪": "黾",
    "⻫": "斉",
    "⻬": "齐",
    "⻭": "歯",
    "⻮": "齿",
    "⻯": "竜",
    "⻰": "龙",
    "⻱": "龜",
    "⻲": "亀",
    "⻳": "龟",
}

_HALF_TO_FULL_PUNCT = {
    ",": "，",
    ";": "；",
    ":": "：",
    "(": "（",
    ")": "）",
    "!": "！",
    "?": "？",
}


@lru_cache(maxsize=65536)
def normalize_char(ch: str) -> str:
    """One character in, one character out."""
    if ch in _HALF_TO_FULL_PUNCT:
        return _HALF_TO_FULL_PUNCT[ch]
    code = ord(ch)
    if code < 0x80 and ch != "\u3000":
        return ch
    if ch in _RADICALS_SUPPLEMENT:
        return _RADICALS_SUPPLEMENT[ch]
    if ch == "\u3000":
        return " "
    if (
        0x2F00 <= code <= 0x2FDF  # Kangxi radicals
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0x2F800 <= code <= 0x2FA1F  # compatibility ideographs supplement
        or 0xFF10 <= code <= 0xFF19  # full-width digits
        or 0xFF21 <= code <= 0xFF3A
        or 0xFF41 <= code <= 0xFF5A
    ):
        out = unicodedata.normalize("NFKC", ch)
        if len(out) == 1:
            return out
    return ch


def normalize_for_match(text: str) -> str:
    """Length-preserving normalisation (see module docstring); 繁體 clauses mapped to 简体."""
    if text.isascii():
        return "".join(_HALF_TO_FULL_PUNCT.get(c, c) for c in text)
    out = "".join(map(normalize_char, text))
    if is_traditional(out):
        table = _t2s()
        out = "".join(table.get(c, c) for c in out)
    return out


# Characters that only traditional script uses, absent from hanziconv's table.
_EXTRA_T2S = {"註": "注", "佈": "布", "甦": "苏", "祕": "秘", "覈": "核", "裏": "里", "纔": "才", "麪": "面"}


@lru_cache(maxsize=1)
def _t2s() -> dict[str, str]:
    """Traditional → simplified, one character to one character (hanziconv's table)."""
    from hanziconv.charmap import simplified_charmap, traditional_charmap

    table = {t: s for t, s in zip(traditional_charmap, simplified_charmap, strict=True) if t != s}
    table.update(_EXTRA_T2S)
    simplified = set(simplified_charmap)
    # keep characters that are also ordinary simplified characters (乾, 著, 後…: ambiguous)
    return {t: s for t, s in table.items() if t not in simplified or t in _EXTRA_T2S}


def is_traditional(text: str) -> bool:
    """A clause written in traditional script: several traditional-only characters, few simplified-only."""
    table = _t2s()
    trad = sum(1 for c in text if c in table)
    if trad < 2:
        return False
    simp_only = sum(1 for c in text if c in _simplified_only())
    return trad >= 2 * simp_only


@lru_cache(maxsize=1)
def _simplified_only() -> frozenset[str]:
    from hanziconv.charmap import simplified_charmap, traditional_charmap

    return frozenset(set(simplified_charmap) - set(traditional_charmap))


_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u2e80-\u2fdf\u3000-\u303f\uff00-\uffef"
_CJK_SPACE_RE = re.compile(rf"(?<=[{_CJK}])[ \t\u00a0\u3000]+(?=[{_CJK}])")


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF


def cjk_ratio(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    return sum(1 for c in chars if is_cjk(c)) / len(chars)


def remove_cjk_spaces(text: str) -> str:
    """Drop spaces that justified layout put between two CJK characters or punctuation."""
    return _CJK_SPACE_RE.sub("", text)
