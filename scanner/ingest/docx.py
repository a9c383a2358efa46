"""DOCX reader: WordprocessingML body → paragraph, heading and table-row blocks.

The package is opened with :mod:`zipfile` and guarded against zip bombs before anything is
parsed; every XML part is parsed by lxml with entity resolution and network access off, and
any DTD is refused. Only the main document story is read (headers, footers, footnotes and
comments are not part of the blocks). Text is read as the *accepted* version of tracked
changes; field codes are skipped and field results kept; text boxes become paragraphs of
their own right after the paragraph that anchors them.

Headings come from the paragraph style (``Heading N`` / ``标题 N`` / ``Title``, through
``basedOn`` chains) or from an outline level. Automatic numbering is rendered from
``numbering.xml`` into :attr:`Block.label` (never into the text). Counters are kept per
abstract numbering definition, as Word does: two ``w:num`` instances of the same
``w:abstractNum`` continue one another unless one of them carries a ``startOverride``.

Table cells are the concatenation of their paragraphs: joined with nothing after a
paragraph that ends with punctuation, else with a space (which the shared table builder
then drops between two CJK characters). Rendered list labels of cell paragraphs are kept
in the cell text, since a cell has no separate label field.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from lxml import etree

from scanner.errors import (
    DocumentTooLarge,
    EncryptedDocument,
    ExtractionFailed,
    ScanError,
    UnsupportedFormat,
)
from scanner.ingest.table import table_blocks
from scanner.limits import Limits
from scanner.normalize import remove_cjk_spaces
from scanner.types import Block, Document, Source

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT_NS = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

W = f"{{{_W_NS}}}"
MC = f"{{{_MC_NS}}}"

# Tags of the WordprocessingML text model.
_P, _R, _T, _TBL, _TR, _TC = W + "p", W + "r", W + "t", W + "tbl", W + "tr", W + "tc"
_TAB, _PTAB, _BR, _CR = W + "tab", W + "ptab", W + "br", W + "cr"
_NB_HYPHEN, _FLDCHAR, _TXBX = W + "noBreakHyphen", W + "fldChar", W + "txbxContent"
_SDT, _SDT_CONTENT, _CUSTOM_XML = W + "sdt", W + "sdtContent", W + "customXml"
_BODY = W + "body"
_ALT_CONTENT, _MC_CHOICE, _MC_FALLBACK = MC + "AlternateContent", MC + "Choice", MC + "Fallback"
_MATH_T = f"{{{_M_NS}}}t"
_VAL = W + "val"

# Subtrees that never contribute visible text of the accepted document.
_SKIP = frozenset(
    W + tag
    for tag in (
        "del",
        "moveFrom",
        "delText",
        "instrText",
        "delInstrText",
        "pPr",
        "rPr",
        "sdtPr",
        "sdtEndPr",
        "tblPr",
        "trPr",
        "tcPr",
        "tblGrid",
        "sectPr",
        "footnoteReference",
        "endnoteReference",
        "commentReference",
        "annotationRef",
    )
)

_CHUNK = 1 << 20
_BIG_MEMBER = 1 << 20
_MAX_FIELD_DEPTH = 64
_MAX_STYLE_DEPTH = 32
_MAX_NESTING = 64

_END_PUNCT = frozenset("。；：，、！？…．.;:,!?）)】」』”’》")
_WS_RE = re.compile(r"\s+")
_HEADING_NAME_RE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
_TITLE_NAMES = frozenset({"title", "标题"})

_E_CORRUPT = ("Word 文件已损坏或不完整，无法读取", "The Word file is corrupt or truncated and cannot be read")
_E_DTD = (
    "Word 文件包含不允许的 DTD 或实体声明",
    "The Word file contains a forbidden DTD or entity declaration",
)


# --------------------------------------------------------------------------- package


def _corrupt() -> ExtractionFailed:
    return ExtractionFailed(*_E_CORRUPT)


def _too_large(detail: str) -> DocumentTooLarge:
    return DocumentTooLarge(
        f"Word 文件解压后过大（{detail}），疑似压缩炸弹",
        f"The Word file expands too much when unzipped ({detail}); possible zip bomb",
    )


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError)


class _Package:
    """A zip package opened safely: sizes checked up front, reads capped."""

    def __init__(self, data: bytes, limits: Limits) -> None:
        if not data:
            raise ExtractionFailed("Word 文件为空", "The Word file is empty")
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (*_ZIP_ERRORS, NotImplementedError, RuntimeError) as exc:
            raise _corrupt() from exc
        self._budget = limits.max_unzipped_bytes
        self._check_sizes(infos, limits)
        self._names = {i.filename: i for i in infos}
        self._folded = {i.filename.lower(): i for i in infos}

    @staticmethod
    def _check_sizes(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
        total = sum(i.file_size for i in infos)
        if total > limits.max_unzipped_bytes:
            raise _too_large(f"{total} > {limits.max_unzipped_bytes} bytes")
        for info in infos:
            if info.file_size > _BIG_MEMBER:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_zip_ratio:
                    raise _too_large(f"{info.filename}: ratio {ratio:.0f} > {limits.max_zip_ratio}")

    def info(self, name: str) -> zipfile.ZipInfo | None:
        """The member called ``name`` (exact, then case-insensitive)."""
        return self._names.get(name) or self._folded.get(name.lower())

    def read(self, name: str) -> bytes | None:
        """Decompress a member, never past the remaining unzipped-bytes budget."""
        info = self.info(name)
        if info is None:
            return None
        if info.flag_bits & 0x1:
            raise EncryptedDocument("Word 文件的压缩包已加密", "The Word package is encrypted")
        chunks: list[bytes] = []
        try:
            with self._zip.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    self._budget -= len(chunk)
                    if self._budget < 0:
                        raise _too_large(f"{name} exceeds the unzipped-bytes limit")
                    chunks.append(chunk)
        except (*_ZIP_ERRORS, NotImplementedError, RuntimeError) as exc:
            raise _corrupt() from exc
        return b"".join(chunks)


_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
    "remove_comments": True,
    "remove_pis": True,
}


def _declares_dtd(data: bytes) -> bool:
    """A DOCTYPE or ENTITY declaration anywhere in the part (UTF-8 or UTF-16)."""
    if b"\x00" in data[:4]:
        for codec in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            return "<!DOCTYPE" in text or "<!ENTITY" in text
        return False
    return b"<!DOCTYPE" in data or b"<!ENTITY" in data


def _parse_xml(data: bytes) -> etree._Element:
    """Parse one XML part safely; DTDs and entity declarations are refused."""
    if _declares_dtd(data):
        raise ExtractionFailed(*_E_DTD)
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _corrupt() from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ExtractionFailed(*_E_DTD)
    return root


def _relationships(pkg: _Package, rels_name: str) -> dict[str, str]:
    """Relationship type suffix → target, for one ``.rels`` part (empty when absent)."""
    data = pkg.read(rels_name)
    if not data:
        return {}
    out: dict[str, str] = {}
    for rel in _parse_xml(data).iter(f"{{{_REL_NS}}}Relationship"):
        rtype, target = rel.get("Type", ""), rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        out.setdefault(rtype.rsplit("/", 1)[-1], target)
    return out


def _resolve_target(base_dir: str, target: str) -> str:
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(base_dir, target)
    return posixpath.normpath(path)


@dataclass(frozen=True)
class _Parts:
    """Names of the parts the reader needs."""

    document: str
    styles: str | None
    numbering: str | None


def _locate_parts(pkg: _Package) -> _Parts:
    main = "word/document.xml"
    target = _relationships(pkg, "_rels/.rels").get("officeDocument")
    if target and pkg.info(_resolve_target("", target)) is not None:
        main = _resolve_target("", target)
    if pkg.info(main) is None:
        raise UnsupportedFormat(
            "压缩包中没有 Word 正文（word/document.xml），不是 Word 文档",
            "The zip archive has no word/document.xml; it is not a Word document",
        )
    base = posixpath.dirname(main)
    rels = _relationships(pkg, posixpath.join(base, "_rels", posixpath.basename(main) + ".rels"))

    def part(kind: str, default: str) -> str | None:
        name = _resolve_target(base, rels[kind]) if kind in rels else posixpath.join(base, default)
        return name if pkg.info(name) is not None else None

    return _Parts(main, part("styles", "styles.xml"), part("numbering", "numbering.xml"))


def _page_count(pkg: _Package) -> int | None:
    """``Pages`` from docProps/app.xml (informational; written by the last editor)."""
    try:
        data = pkg.read("docProps/app.xml")
        if not data:
            return None
        node = _parse_xml(data).find(f"{{{_EP_NS}}}Pages")
    except ScanError:
        return None
    if node is None or not (node.text or "").strip().isdigit():
        return None
    pages = int(node.text.strip())
    return pages if pages > 0 else None


# --------------------------------------------------------------------------- styles


def _int_val(el: etree._Element | None, default: int | None = None) -> int | None:
    if el is None:
        return default
    try:
        return int(el.get(_VAL, ""))
    except ValueError:
        return default


def _on(el: etree._Element | None) -> bool:
    """A WordprocessingML on/off property (present and not false)."""
    return el is not None and el.get(_VAL, "true") not in ("0", "false", "off")


@dataclass(frozen=True)
class _RawStyle:
    name: str | None
    based_on: str | None
    outline: int | None
    num_id: str | None
    ilvl: int | None


@dataclass(frozen=True)
class _Style:
    """A paragraph style with its ``basedOn`` chain folded in."""

    style_id: str | None
    name: str | None
    heading_level: int | None  # from the style *name* (Heading N / 标题 N)
    is_title: bool
    outline: int | None  # 0-based w:outlineLvl
    num_id: str | None
    ilvl: int | None


def _read_raw_style(el: etree._Element) -> _RawStyle:
    name = el.find(W + "name")
    based = el.find(W + "basedOn")
    ppr = el.find(W + "pPr")
    outline = num_id = ilvl = None
    if ppr is not None:
        outline = _int_val(ppr.find(W + "outlineLvl"))
        numpr = ppr.find(W + "numPr")
        if numpr is not None:
            nid = numpr.find(W + "numId")
            num_id = nid.get(_VAL) if nid is not None else None
            ilvl = _int_val(numpr.find(W + "ilvl"))
    return _RawStyle(
        name=name.get(_VAL) if name is not None else None,
        based_on=based.get(_VAL) if based is not None else None,
        outline=outline,
        num_id=num_id,
        ilvl=ilvl,
    )


class _Styles:
    """Style sheet lookups with ``basedOn`` resolution (cached, cycle-safe)."""

    def __init__(self, root: etree._Element | None) -> None:
        self._raw: dict[str, _RawStyle] = {}
        self.default_id: str | None = None
        self._cache: dict[str | None, _Style] = {}
        if root is None:
            return
        for el in root.iter(W + "style"):
            sid = el.get(W + "styleId")
            if sid is None:
                continue
            self._raw[sid] = _read_raw_style(el)
            if el.get(W + "type") == "paragraph" and el.get(W + "default") in ("1", "true", "on"):
                self.default_id = sid

    def raw(self, style_id: str) -> _RawStyle | None:
        return self._raw.get(style_id)

    def resolve(self, style_id: str | None) -> _Style:
        """The effective paragraph style ``style_id`` (the default style when None)."""
        key = style_id if style_id in self._raw else self.default_id
        if key not in self._cache:
            self._cache[key] = self._fold(key)
        return self._cache[key]

    def _fold(self, style_id: str | None) -> _Style:
        name = heading = outline = num_id = ilvl = None
        is_title = False
        seen: set[str] = set()
        sid = style_id
        while sid and sid not in seen and len(seen) < _MAX_STYLE_DEPTH and sid in self._raw:
            seen.add(sid)
            raw = self._raw[sid]
            if name is None:
                name = raw.name
            lowered = (raw.name or "").strip().lower()
            if heading is None and not is_title:
                match = _HEADING_NAME_RE.match(lowered)
                heading = int(match.group(1)) if match else None
                is_title = lowered in _TITLE_NAMES
            outline = raw.outline if outline is None else outline
            num_id = raw.num_id if num_id is None else num_id
            ilvl = raw.ilvl if ilvl is None else ilvl
            sid = raw.based_on
        return _Style(style_id, name, heading, is_title, outline, num_id, ilvl)


# --------------------------------------------------------------------------- numbering


_CN_DIGITS = "〇一二三四五六七八九"
_CN_UNITS = ("", "十", "百", "千")
_CN_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_CN_LEGAL_UNITS = ("", "拾", "佰", "仟")
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def _cn_below_10000(n: int, digits: str, units: tuple[str, ...], zero: str) -> str:
    out: list[str] = []
    pending_zero = False
    for power in (3, 2, 1, 0):
        d = n // 10**power % 10
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append(zero)
            pending_zero = False
        out.append(digits[d] + units[power])
    return "".join(out)


def _cn_count(n: int, digits: str = _CN_DIGITS, units: tuple[str, ...] = _CN_UNITS, zero: str = "零") -> str:
    """Chinese counting: 1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五, 10001 → 一万零一."""
    if n <= 0:
        return digits[0]
    if n >= 100_000_000:
        return str(n)
    high, low = divmod(n, 10000)
    text = _cn_below_10000(high, digits, units, zero) + "万" if high else ""
    if low:
        text += (zero if high and low < 1000 else "") + _cn_below_10000(low, digits, units, zero)
    if digits is _CN_DIGITS and text.startswith("一十"):
        text = text[1:]
    return text


def _letters(n: int, base: str) -> str:
    """Word letters: A..Z, then AA..ZZ, AAA..."""
    n = max(n, 1)
    return chr(ord(base) + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _roman(n: int) -> str:
    if not 0 < n < 4000:
        return str(n)
    out = []
    for value, sym in _ROMAN:
        count, n = divmod(n, value)
        out.append(sym * count)
    return "".join(out)


def _enclosed(n: int, ranges: tuple[tuple[int, int, int], ...]) -> str:
    for lo, hi, base in ranges:
        if lo <= n <= hi:
            return chr(base + n - lo)
    return str(n)


_CIRCLED = ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1))

_FORMATTERS: dict[str, Callable[[int], str]] = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "decimalFullWidth": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalFullWidth2": lambda n: "".join(chr(ord(c) + 0xFEE0) for c in str(n)),
    "decimalHalfWidth": str,
    "chineseCounting": _cn_count,
    "chineseCountingThousand": _cn_count,
    "japaneseCounting": _cn_count,
    "taiwaneseCounting": _cn_count,
    "taiwaneseCountingThousand": _cn_count,
    "ideographLegalTraditional": lambda n: _cn_count(n, _CN_LEGAL_DIGITS, _CN_LEGAL_UNITS),
    "chineseLegalSimplified": lambda n: _cn_count(n, _CN_LEGAL_DIGITS, _CN_LEGAL_UNITS),
    "ideographDigital": lambda n: "".join(_CN_DIGITS[int(c)] for c in str(n)),
    "taiwaneseDigital": lambda n: "".join(_CN_DIGITS[int(c)] for c in str(n)),
    "ideographTraditional": lambda n: _TIANGAN[(n - 1) % 10],
    "ideographZodiac": lambda n: _DIZHI[(n - 1) % 12],
    "upperLetter": lambda n: _letters(n, "A"),
    "lowerLetter": lambda n: _letters(n, "a"),
    "upperRoman": _roman,
    "lowerRoman": lambda n: _roman(n).lower(),
    "decimalEnclosedCircle": lambda n: _enclosed(n, _CIRCLED),
    "decimalEnclosedCircleChinese": lambda n: _enclosed(n, _CIRCLED),
    "decimalEnclosedFullstop": lambda n: _enclosed(n, ((1, 20, 0x2488),)),
    "decimalEnclosedParen": lambda n: _enclosed(n, ((1, 20, 0x2474),)),
    "ideographEnclosedCircle": lambda n: _enclosed(n, ((1, 10, 0x3280),)),
    "none": lambda n: "",
}


def format_number(n: int, num_fmt: str) -> str:
    """Render counter ``n`` in a ``w:numFmt`` format (unknown formats fall back to decimal)."""
    return _FORMATTERS.get(num_fmt, str)(n)


@dataclass(frozen=True)
class _Level:
    start: int
    num_fmt: str
    text: str | None  # w:lvlText, None when absent
    restart: int | None  # w:lvlRestart (1-based level; 0 = never)
    legal: bool
    pstyle: str | None


@dataclass
class _Instance:
    """A w:num: its abstract definition and level overrides."""

    abstract_id: str
    start_overrides: dict[int, int] = field(default_factory=dict)
    level_overrides: dict[int, _Level] = field(default_factory=dict)
    applied: bool = False


def _read_level(el: etree._Element) -> _Level:
    fmt = el.find(W + "numFmt")
    if fmt is None:
        fmt = el.find(f"{_ALT_CONTENT}/{_MC_FALLBACK}/{W}numFmt")
    text = el.find(W + "lvlText")
    pstyle = el.find(W + "pStyle")
    return _Level(
        start=_int_val(el.find(W + "start"), 0) or 0,
        num_fmt=fmt.get(_VAL, "decimal") if fmt is not None else "decimal",
        text=text.get(_VAL) if text is not None else None,
        restart=_int_val(el.find(W + "lvlRestart")),
        legal=_on(el.find(W + "isLgl")),
        pstyle=pstyle.get(_VAL) if pstyle is not None else None,
    )


def _levels_of(el: etree._Element) -> dict[int, _Level]:
    levels: dict[int, _Level] = {}
    for lvl in el.iterfind(W + "lvl"):
        ilvl = _int_val_attr(lvl, W + "ilvl")
        if ilvl is not None and 0 <= ilvl < 10:
            levels[ilvl] = _read_level(lvl)
    return levels


def _int_val_attr(el: etree._Element, attr: str) -> int | None:
    try:
        return int(el.get(attr, ""))
    except ValueError:
        return None


def _read_instance(num: etree._Element) -> _Instance | None:
    abstract = num.find(W + "abstractNumId")
    if abstract is None or abstract.get(_VAL) is None:
        return None
    inst = _Instance(abstract.get(_VAL, ""))
    for override in num.iterfind(W + "lvlOverride"):
        ilvl = _int_val_attr(override, W + "ilvl")
        if ilvl is None:
            continue
        start = _int_val(override.find(W + "startOverride"))
        if start is not None:
            inst.start_overrides[ilvl] = start
        lvl = override.find(W + "lvl")
        if lvl is not None:
            inst.level_overrides[ilvl] = _read_level(lvl)
            inst.start_overrides.setdefault(ilvl, inst.level_overrides[ilvl].start)
    return inst


class _Numbering:
    """numbering.xml definitions plus the running counters of the document."""

    def __init__(self, root: etree._Element | None, styles: _Styles) -> None:
        self._abstract: dict[str, dict[int, _Level]] = {}
        self._style_link: dict[str, str] = {}
        self._instances: dict[str, _Instance] = {}
        self._counters: dict[str, dict[int, int]] = {}
        self._styles = styles
        if root is None:
            return
        for el in root.iterfind(W + "abstractNum"):
            aid = el.get(W + "abstractNumId")
            if aid is None:
                continue
            self._abstract[aid] = _levels_of(el)
            link = el.find(W + "numStyleLink")
            if link is not None and link.get(_VAL):
                self._style_link[aid] = link.get(_VAL, "")
        for el in root.iterfind(W + "num"):
            nid, inst = el.get(W + "numId"), _read_instance(el)
            if nid is not None and inst is not None:
                self._instances[nid] = inst

    def _abstract_id(self, inst: _Instance) -> str:
        """Follow a ``numStyleLink`` to the abstract definition that holds the levels."""
        aid = inst.abstract_id
        style_id = self._style_link.get(aid)
        if style_id and not self._abstract.get(aid):
            raw = self._styles.raw(style_id)
            linked = self._instances.get(raw.num_id or "") if raw else None
            if linked is not None and linked.abstract_id in self._abstract:
                return linked.abstract_id
        return aid

    def level_for_style(self, num_id: str, style_id: str | None) -> int:
        """The list level whose ``w:pStyle`` is ``style_id`` (0 when none)."""
        inst = self._instances.get(num_id)
        if inst is None or style_id is None:
            return 0
        for ilvl, lvl in self._abstract.get(self._abstract_id(inst), {}).items():
            if lvl.pstyle == style_id:
                return ilvl
        return 0

    def next_label(self, num_id: str, ilvl: int) -> str | None:
        """Advance the counter of (list, level) and render the label; None for bullets/none."""
        inst = self._instances.get(num_id)
        if inst is None:
            return None
        aid = self._abstract_id(inst)
        levels = {**self._abstract.get(aid, {}), **inst.level_overrides}
        if ilvl not in levels:
            return None
        counters = self._counters.setdefault(aid, {})
        if not inst.applied:
            inst.applied = True
            for lv in inst.start_overrides:
                counters.pop(lv, None)  # restarts at the override (see _start)
        self._advance(counters, levels, ilvl, inst)
        return self._render(counters, levels, ilvl, inst)

    @staticmethod
    def _start(levels: dict[int, _Level], ilvl: int, inst: _Instance) -> int:
        if ilvl in inst.start_overrides:
            return inst.start_overrides[ilvl]
        return levels[ilvl].start if ilvl in levels else 1

    def _advance(
        self, counters: dict[int, int], levels: dict[int, _Level], ilvl: int, inst: _Instance
    ) -> None:
        current = counters.get(ilvl)
        counters[ilvl] = self._start(levels, ilvl, inst) if current is None else current + 1
        for deeper in [k for k in counters if k > ilvl]:
            restart = levels[deeper].restart if deeper in levels else None
            if restart is None or (restart != 0 and ilvl < restart):
                del counters[deeper]

    def _render(
        self, counters: dict[int, int], levels: dict[int, _Level], ilvl: int, inst: _Instance
    ) -> str | None:
        level = levels[ilvl]
        if level.num_fmt == "bullet" or not level.text:
            return None

        def sub(match: re.Match[str]) -> str:
            ref = int(match.group(1)) - 1
            if ref not in levels:
                return ""
            value = counters.get(ref, self._start(levels, ref, inst))
            fmt = "decimal" if level.legal else levels[ref].num_fmt
            return format_number(value, fmt)

        label = re.sub(r"%([1-9])", sub, level.text).strip()
        return label or None


# --------------------------------------------------------------------------- body walk


def _clean(text: str) -> str:
    """One line: whitespace runs collapsed, spaces between CJK characters removed."""
    return remove_cjk_spaces(_WS_RE.sub(" ", text)).strip()


def _children(el: etree._Element) -> Iterator[etree._Element]:
    """Element children, with ``mc:AlternateContent`` replaced by one of its branches."""
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == _ALT_CONTENT:
            branch = child.find(_MC_CHOICE)
            if branch is None:
                branch = child.find(_MC_FALLBACK)
            if branch is not None:
                yield from _children(branch)
            continue
        yield child


@dataclass
class _Para:
    """Text of one paragraph plus the text-box contents anchored in it."""

    text: str
    label: str | None
    style: _Style
    outline: int | None
    boxes: list[etree._Element]


class _Reader:
    """Walks the document body and accumulates blocks."""

    def __init__(self, styles: _Styles, numbering: _Numbering, limits: Limits) -> None:
        self.styles = styles
        self.numbering = numbering
        self.limits = limits
        self.blocks: list[Block] = []
        self.chars = 0
        self.tables = 0
        self._fields: list[bool] = []  # per open complex field: True while in its code part

    # -- accounting -------------------------------------------------------------

    def _emit(self, blocks: list[Block]) -> None:
        for block in blocks:
            self.chars += len(block.text) + 1
            if self.chars > self.limits.max_chars:
                raise DocumentTooLarge(
                    f"文档文字超过上限（{self.limits.max_chars} 字符）",
                    f"The document has more than {self.limits.max_chars} characters of text",
                )
            self.blocks.append(block)

    # -- containers ---------------------------------------------------------------

    def read_container(self, el: etree._Element, depth: int = 0) -> None:
        """Body, text box or block-level sdt: paragraphs and tables in order."""
        if depth > _MAX_NESTING:
            return
        for child in _children(el):
            tag = child.tag
            if tag == _P:
                self._read_body_paragraph(child, depth)
            elif tag == _TBL:
                self._emit(self._read_table(child, depth))
            elif tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
                self.read_container(child, depth + 1)

    def _read_body_paragraph(self, p: etree._Element, depth: int) -> None:
        para = self._paragraph(p)
        if para.text:
            self._emit([self._paragraph_block(para, anchor_path(p))])
        for box in para.boxes:
            self._read_box(box, depth)

    def _read_box(self, box: etree._Element, depth: int) -> None:
        saved, self._fields = self._fields, []
        try:
            self.read_container(box, depth + 1)
        finally:
            self._fields = saved

    def _paragraph_block(self, para: _Para, anchor: str | None = None) -> Block:
        style = para.style
        level = None
        outline = para.outline if para.outline is not None else style.outline
        if outline is not None and 0 <= outline < 9:
            level = outline + 1
        elif outline is None and style.heading_level is not None:
            level = style.heading_level
        heading = level is not None or (style.is_title and outline is None)
        return Block(
            text=para.text,
            kind="heading" if heading else "paragraph",
            level=level,
            style=style.name,
            label=para.label,
            source=Source(anchor=anchor),
        )

    # -- paragraphs ----------------------------------------------------------------

    def _paragraph(self, p: etree._Element) -> _Para:
        ppr = p.find(W + "pPr")
        style_id = num_id = None
        ilvl = outline = None
        if ppr is not None:
            pstyle = ppr.find(W + "pStyle")
            style_id = pstyle.get(_VAL) if pstyle is not None else None
            outline = _int_val(ppr.find(W + "outlineLvl"))
            numpr = ppr.find(W + "numPr")
            if numpr is not None:
                nid = numpr.find(W + "numId")
                num_id = nid.get(_VAL) if nid is not None else None
                ilvl = _int_val(numpr.find(W + "ilvl"))
        style = self.styles.resolve(style_id)
        label = self._label(style, num_id, ilvl)
        parts: list[str] = []
        boxes: list[etree._Element] = []
        self._collect(p, parts, boxes)
        self._fields = [False for _ in self._fields]  # a field code never spans paragraphs here
        return _Para(_clean("".join(parts)), label, style, outline, boxes)

    def _label(self, style: _Style, num_id: str | None, ilvl: int | None) -> str | None:
        if num_id is None:
            num_id = style.num_id
            if ilvl is None:
                ilvl = style.ilvl
        if not num_id or num_id == "0":
            return None
        if ilvl is None:
            ilvl = self.numbering.level_for_style(num_id, style.style_id)
        return self.numbering.next_label(num_id, ilvl)

    def _in_code(self) -> bool:
        return any(self._fields)

    def _field_char(self, el: etree._Element) -> None:
        kind = el.get(W + "fldCharType")
        if kind == "begin" and len(self._fields) < _MAX_FIELD_DEPTH:
            self._fields.append(True)
        elif kind == "separate" and self._fields:
            self._fields[-1] = False
        elif kind == "end" and self._fields:
            self._fields.pop()

    def _collect(self, el: etree._Element, parts: list[str], boxes: list[etree._Element]) -> None:
        """Append the visible text under ``el`` to ``parts`` (document order)."""
        for child in _children(el):
            tag = child.tag
            if tag == _T or tag == _MATH_T:
                if not self._in_code():
                    parts.append(child.text or "")
            elif tag in _SKIP:
                continue
            elif tag == _FLDCHAR:
                self._field_char(child)
            elif tag in (_TAB, _PTAB, _BR, _CR):
                if not self._in_code():
                    parts.append(" ")
            elif tag == _NB_HYPHEN:
                if not self._in_code():
                    parts.append("-")
            elif tag == _TXBX:
                boxes.append(child)
            elif tag in (_P, _TBL):
                continue  # block content never nests in a paragraph except via text boxes
            else:
                self._collect(child, parts, boxes)

    # -- tables ----------------------------------------------------------------------

    def _read_table(self, tbl: etree._Element, depth: int) -> list[Block]:
        """Blocks of one table, nested tables and text boxes emitted after their row."""
        index = self.tables
        self.tables += 1
        rows: list[list[str]] = []
        extras: list[list[Block]] = []
        trs = list(_rows(tbl))
        for tr in trs:
            cells, after = self._read_row(tr, depth)
            rows.append(cells)
            extras.append(after)
        blocks, _ = table_blocks(rows, index)
        by_row = {b.source.table.row: _anchored(b, trs) for b in blocks if b.source.table is not None}
        out: list[Block] = []
        for r, after in enumerate(extras):
            if r in by_row:
                out.append(by_row[r])
            out.extend(after)
        return out

    def _read_row(self, tr: etree._Element, depth: int) -> tuple[list[str], list[Block]]:
        cells: list[str] = []
        after: list[Block] = []
        trpr = tr.find(W + "trPr")
        if trpr is not None:
            cells.extend([""] * max(0, min(_int_val(trpr.find(W + "gridBefore"), 0) or 0, 1000)))
        for tc in _cells(tr):
            tcpr = tc.find(W + "tcPr")
            span, merged = _cell_span(tcpr)
            text = "" if merged else self._cell_text(tc, after, depth)
            cells.append(text)
            cells.extend([""] * (span - 1))
        return cells, after

    def _cell_text(self, tc: etree._Element, after: list[Block], depth: int) -> str:
        pieces: list[str] = []
        for child in _flatten(tc):
            if child.tag == _TBL:
                if depth < _MAX_NESTING:
                    after.extend(self._read_table(child, depth + 1))
                continue
            para = self._paragraph(child)
            text = f"{para.label} {para.text}" if para.label and para.text else para.text
            if text:
                pieces.append(text)
            after.extend(self._box_blocks(para.boxes, depth))
        return _join_cell(pieces)

    def _box_blocks(self, boxes: list[etree._Element], depth: int) -> list[Block]:
        """Blocks of text boxes anchored inside a table cell (emitted after the row)."""
        if not boxes:
            return []
        saved = self.blocks
        self.blocks = []
        try:
            for box in boxes:
                self._read_box(box, depth)
            return self.blocks
        finally:
            self.chars -= sum(len(b.text) + 1 for b in self.blocks)
            self.blocks = saved


def _anchored(block: Block, trs: list[etree._Element]) -> Block:
    """A table-row block with :attr:`Source.anchor` set to the path of its ``w:tr``."""
    assert block.source.table is not None
    tr = trs[block.source.table.row]
    return replace(block, source=replace(block.source, anchor=anchor_path(tr)))


def anchor_path(el: etree._Element) -> str:
    """Locator of ``el`` for :attr:`Source.anchor`: element-child indices below ``w:body``.

    ``"body/12"`` is the 13th element child of the body; ``"body/4/2/1"`` a row of a table, or a
    paragraph inside a text box, and so on down the XML tree (``mc:AlternateContent`` branches,
    ``w:sdt`` wrappers and runs included as the elements they are). XML comments and processing
    instructions are not counted (the parser drops them), so the path resolves in any parse of
    the same part that skips non-element nodes.
    """
    steps: list[str] = []
    node = el
    parent = node.getparent()
    while parent is not None and node.tag != _BODY:
        steps.append(str(parent.index(node)))
        node, parent = parent, parent.getparent()
    return "/".join(["body", *reversed(steps)])


def _unwrapped(el: etree._Element, tags: tuple[str, ...]) -> Iterator[etree._Element]:
    """Children of ``el`` with one of ``tags``, looking through sdt/customXml wrappers."""
    for child in _children(el):
        if child.tag in tags:
            yield child
        elif child.tag in (_SDT, _SDT_CONTENT, _CUSTOM_XML):
            yield from _unwrapped(child, tags)


def _flatten(el: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables of a cell."""
    return _unwrapped(el, (_P, _TBL))


def _rows(tbl: etree._Element) -> Iterator[etree._Element]:
    """Rows of a table, skipping tracked-deleted rows."""
    for tr in _unwrapped(tbl, (_TR,)):
        trpr = tr.find(W + "trPr")
        if trpr is None or trpr.find(W + "del") is None:
            yield tr


def _cells(tr: etree._Element) -> Iterator[etree._Element]:
    return _unwrapped(tr, (_TC,))


def _cell_span(tcpr: etree._Element | None) -> tuple[int, bool]:
    """(grid columns covered, is a merge continuation) of a cell."""
    if tcpr is None:
        return 1, False
    span = max(1, min(_int_val(tcpr.find(W + "gridSpan"), 1) or 1, 1000))
    vmerge = tcpr.find(W + "vMerge")
    hmerge = tcpr.find(W + "hMerge")
    continued = (vmerge is not None and vmerge.get(_VAL, "continue") == "continue") or (
        hmerge is not None and hmerge.get(_VAL, "continue") == "continue"
    )
    return span, continued


def _join_cell(pieces: list[str]) -> str:
    """Join cell paragraphs: nothing after end punctuation, else one space."""
    out = ""
    for piece in pieces:
        if out and out[-1] not in _END_PUNCT:
            out += " "
        out += piece
    return out


# --------------------------------------------------------------------------- entry


def _optional_root(pkg: _Package, name: str | None) -> etree._Element | None:
    if name is None:
        return None
    data = pkg.read(name)
    return _parse_xml(data) if data else None


def ingest_docx(data: bytes, name: str, limits: Limits) -> Document:
    """Read a .docx package into a :class:`Document` (see the module docstring)."""
    pkg = _Package(data, limits)
    parts = _locate_parts(pkg)
    root = _parse_xml(pkg.read(parts.document) or b"")
    if root.tag.startswith(f"{{{_W_STRICT_NS}}}"):
        raise UnsupportedFormat(
            "不支持 Strict Open XML 格式的 Word 文件", "Strict Open XML Word files are not supported"
        )
    body = root.find(W + "body")
    if body is None:
        raise _corrupt()
    styles = _Styles(_optional_root(pkg, parts.styles))
    numbering = _Numbering(_optional_root(pkg, parts.numbering), styles)
    reader = _Reader(styles, numbering, limits)
    try:
        reader.read_container(body)
    except RecursionError as exc:  # pathological nesting; libxml2 already caps depth at 256
        raise _corrupt() from exc
    return Document(
        name=name,
        media_type=MEDIA_TYPE,
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=tuple(reader.blocks),
        pages=_page_count(pkg),
        warnings=(),
    )
