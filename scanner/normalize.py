"""Length-preserving normalisation for matching.

Every function here maps one character to exactly one character, so an offset in the
normalised text is the same offset in the original text: evidence spans found on the
normalised form point at the original characters without any offset map.

Normalised: Kangxi radicals and CJK radicals supplement (⼈⺠ → 人民), CJK compatibility
ideographs, full-width ASCII letters/digits (ＡＢ１２ → AB12), ideographic space, and
half-width punctuation to its full-width form (so rules are written with one set of
punctuation: ，；：（）！？).
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
    """Length-preserving normalisation (see module docstring)."""
    if text.isascii():
        return "".join(_HALF_TO_FULL_PUNCT.get(c, c) for c in text)
    return "".join(map(normalize_char, text))


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
