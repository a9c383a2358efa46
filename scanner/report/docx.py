"""Annotated DOCX: the original document with one Word comment (批注) per finding.

Each comment is anchored on exactly the evidence characters (runs are split where the evidence
starts or ends inside one, every split half keeping the run's formatting) and the evidence runs
are highlighted. Only ``word/document.xml`` (comment ranges, split runs, highlight),
``word/comments.xml`` (created, or extended when the document already has comments), the
document's relationships and ``[Content_Types].xml`` change; every other package member is
copied unchanged.

Locating the evidence: the DOCX reader records in :attr:`Source.anchor` the element path of
the paragraph (or table row) each block came from. The block text is the visible text of that
element with whitespace collapsed, spaces between CJK characters removed and, for table rows,
cells joined by ``｜`` with rendered list labels in cells; so block offsets are mapped back to
``w:t`` characters by aligning the non-space characters of both (identity when they agree,
else a longest-matching-blocks alignment that skips the characters the reader added).
"""

from __future__ import annotations

import bisect
import copy
import io
import posixpath
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher

from lxml import etree

from scanner.ingest.docx import (
    _FLDCHAR,
    _P,
    _SKIP,
    _T,
    _TBL,
    _TXBX,
    MEDIA_TYPE,
    W,
    _cell_span,
    _cells,
    _children,
    _flatten,
    _int_val,
    _parse_xml,
)
from scanner.report.common import DEFAULT_AUTHOR, DEFAULT_INITIALS, ReportInputError, check_source, note_lines
from scanner.types import Block, Finding, ScanResult

_W_NS = W[1:-1]
_R, _RPR, _TR = W + "r", W + "rPr", W + "tr"
_ID = W + "id"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_COMMENTS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
_COMMENTS_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"

# w:rPr children that come after w:highlight in the schema sequence (CT_RPr).
_AFTER_HIGHLIGHT = frozenset(
    W + tag
    for tag in (
        "u",
        "effect",
        "bdr",
        "shd",
        "fitText",
        "vertAlign",
        "rtl",
        "cs",
        "em",
        "lang",
        "eastAsianLayout",
        "specVanish",
        "oMath",
        "rPrChange",
    )
)


@dataclass(frozen=True)
class Placement:
    """Where one finding's comment went: its id, the anchored run text and how it was found."""

    finding_id: str
    comment_id: int
    text: str
    method: str  # "anchor" (block locator), "search" (evidence found by text), "block" (whole element)


@dataclass(frozen=True)
class _Char:
    """One visible character of the document: the ``w:t`` holding it and its index there."""

    t: etree._Element
    i: int

    @property
    def ch(self) -> str:
        return (self.t.text or "")[self.i]


# --------------------------------------------------------------------------- visible characters


def _collect(el: etree._Element, out: list[_Char], fields: list[bool]) -> None:
    """Visible ``w:t`` characters under ``el``, as the reader sees them (accepted text, field results)."""
    for child in _children(el):
        tag = child.tag
        if tag == _T:
            if not any(fields):
                out.extend(_Char(child, i) for i in range(len(child.text or "")))
        elif tag in _SKIP or tag in (_TXBX, _P, _TBL):
            continue
        elif tag == _FLDCHAR:
            kind = child.get(W + "fldCharType")
            if kind == "begin":
                fields.append(True)
            elif kind == "separate" and fields:
                fields[-1] = False
            elif kind == "end" and fields:
                fields.pop()
        else:
            _collect(child, out, fields)


def paragraph_chars(p: etree._Element) -> list[_Char]:
    """Visible characters of one paragraph (text boxes and nested blocks excluded)."""
    out: list[_Char] = []
    _collect(p, out, [])
    return out


def _cell_chars(tc: etree._Element) -> list[_Char]:
    """Visible characters of a table cell's own paragraphs (nested tables excluded)."""
    out: list[_Char] = []
    for child in _flatten(tc):
        if child.tag == _P:
            out.extend(paragraph_chars(child))
    return out


def _row_cells(tr: etree._Element) -> dict[int, etree._Element]:
    """Grid column → ``w:tc`` of a row, counted as the reader counts them (gridBefore, spans)."""
    col = 0
    trpr = tr.find(W + "trPr")
    if trpr is not None:
        col = max(0, min(_int_val(trpr.find(W + "gridBefore"), 0) or 0, 1000))
    out: dict[int, etree._Element] = {}
    for tc in _cells(tr):
        span, merged = _cell_span(tc.find(W + "tcPr"))
        if not merged:
            out[col] = tc
        col += span
    return out


# --------------------------------------------------------------------------- alignment


def _align(seg: str, chars: list[_Char], base: int = 0, shift: int = 0) -> dict[int, int]:
    """Map offsets (``base`` + i) of non-space chars of ``seg`` to indices (``shift`` + k) in ``chars``."""
    a_idx = [i for i, c in enumerate(seg) if not c.isspace()]
    b_idx = [k for k, c in enumerate(chars) if not c.ch.isspace()]
    a = "".join(seg[i] for i in a_idx)
    b = "".join(chars[k].ch for k in b_idx)
    if a == b:
        return {base + i: shift + k for i, k in zip(a_idx, b_idx, strict=True)}
    out: dict[int, int] = {}
    for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        for n in range(m.size):
            out[base + a_idx[m.a + n]] = shift + b_idx[m.b + n]
    return out


@dataclass
class _Located:
    """The source characters of a block and the block-offset → character map."""

    chars: list[_Char]
    mapping: dict[int, int]
    scope: etree._Element  # the paragraph or row holding them


def _locate_block(block: Block, el: etree._Element) -> _Located:
    if el.tag == _TR and block.source.table is not None:
        chars: list[_Char] = []
        mapping: dict[int, int] = {}
        tcs = _row_cells(el)
        for cell in block.source.table.cells:
            tc = tcs.get(cell.col)
            if tc is None:
                continue
            cell_chars = _cell_chars(tc)
            mapping.update(_align(block.text[cell.start : cell.end], cell_chars, cell.start, len(chars)))
            chars.extend(cell_chars)
        return _Located(chars, mapping, el)
    chars = paragraph_chars(el)
    return _Located(chars, _align(block.text, chars), el)


def resolve_anchor(body: etree._Element, anchor: str) -> etree._Element | None:
    """The element at a reader anchor path ("body/12/3"), counting element children only."""
    steps = anchor.split("/")
    if not steps or steps[0] != "body":
        return None
    node = body
    for step in steps[1:]:
        if not step.isdigit():
            return None
        kids = [c for c in node if isinstance(c.tag, str)]
        index = int(step)
        if index >= len(kids):
            return None
        node = kids[index]
    return node


# --------------------------------------------------------------------------- run surgery


def _preserve(t: etree._Element) -> None:
    t.set(_XML_SPACE, "preserve")


def _has_content_before(t: etree._Element) -> bool:
    return any(s.tag != _RPR for s in t.itersiblings(preceding=True) if isinstance(s.tag, str))


def _split_before(t: etree._Element, i: int) -> etree._Element:
    """Split the run holding ``t`` so that character ``i`` of ``t`` starts a run; return that run.

    Both halves keep a copy of the run properties; the left half stays the original element.
    """
    run = t.getparent()
    text = t.text or ""
    if i <= 0 and not _has_content_before(t):
        return run
    new = run.makeelement(run.tag, dict(run.attrib))
    rpr = run.find(_RPR)
    if rpr is not None:
        new.append(copy.deepcopy(rpr))
    following = list(t.itersiblings())
    if i > 0:
        right = t.makeelement(_T, {})
        right.text, t.text = text[i:], text[:i]
        _preserve(right)
        _preserve(t)
        new.append(right)
    else:
        new.append(t)
    for sibling in following:
        new.append(sibling)
    run.addnext(new)
    return new


def _split_after(t: etree._Element, j: int) -> None:
    """Split the run holding ``t`` so that character ``j`` of ``t`` ends a run."""
    if j + 1 < len(t.text or "") or any(isinstance(s.tag, str) for s in t.itersiblings()):
        _split_before(t, j + 1)


def _highlight(run: etree._Element, colour: str) -> None:
    """Set ``w:highlight`` on a run, in schema order inside ``w:rPr``."""
    rpr = run.find(_RPR)
    if rpr is None:
        rpr = run.makeelement(_RPR, {})
        run.insert(0, rpr)
    mark = rpr.find(W + "highlight")
    if mark is None:
        mark = rpr.makeelement(W + "highlight", {})
        later = next((c for c in rpr if c.tag in _AFTER_HIGHLIGHT), None)
        if later is not None:
            later.addprevious(mark)
        else:
            rpr.append(mark)
    mark.set(W + "val", colour)


def _visible_run(run: etree._Element, scope: etree._Element) -> bool:
    if not any((t.text or "").strip() for t in run.iterfind(_T)):
        return False
    for anc in run.iterancestors():
        if anc is scope:
            return True
        if anc.tag in (_TXBX, _MC_FALLBACK):
            return False
    return True


def _runs_between(scope: etree._Element, start: etree._Element, end: etree._Element) -> list[etree._Element]:
    """Runs with visible text from the ``start`` marker to the ``end`` marker, in document order."""
    runs: list[etree._Element] = []
    inside = False
    for node in scope.iter():
        if node is start:
            inside = True
        elif node is end:
            break
        elif inside and node.tag == _R and _visible_run(node, scope):
            runs.append(node)
    return runs


def _mark_range(first: _Char, last: _Char, cid: int, colour: str, scope: etree._Element) -> None:
    """Split runs at the range ends, add comment range markers, reference run and highlight."""
    _split_after(last.t, last.i)
    start_run = _split_before(first.t, first.i)
    end_run = start_run if (last.t is first.t and first.i > 0) else last.t.getparent()
    crs = start_run.makeelement(W + "commentRangeStart", {_ID: str(cid)})
    cre = end_run.makeelement(W + "commentRangeEnd", {_ID: str(cid)})
    start_run.addprevious(crs)
    end_run.addnext(cre)
    cre.addnext(_reference_run(cre, cid))
    for run in _runs_between(scope, crs, cre):
        _highlight(run, colour)


def _reference_run(near: etree._Element, cid: int) -> etree._Element:
    run = near.makeelement(_R, {})
    rpr = run.makeelement(_RPR, {})
    rpr.append(rpr.makeelement(W + "rStyle", {W + "val": "CommentReference"}))
    run.append(rpr)
    run.append(run.makeelement(W + "commentReference", {_ID: str(cid)}))
    return run


def _mark_point(scope: etree._Element, cid: int) -> None:
    """A comment with an empty range at the start of the first paragraph of ``scope``."""
    p = scope if scope.tag == _P else next(scope.iter(_P), None)
    if p is None:
        return
    ppr = p.find(W + "pPr")
    crs = p.makeelement(W + "commentRangeStart", {_ID: str(cid)})
    cre = p.makeelement(W + "commentRangeEnd", {_ID: str(cid)})
    if ppr is not None:
        ppr.addnext(crs)
    else:
        p.insert(0, crs)
    crs.addnext(cre)
    cre.addnext(_reference_run(cre, cid))


# --------------------------------------------------------------------------- placing findings


def _block_of(offsets: list[int], blocks: tuple[Block, ...], start: int) -> int:
    return max(0, bisect.bisect_right(offsets, start) - 1) if blocks else -1


def _evidence_chars(located: _Located, s: int, e: int) -> tuple[int, int] | None:
    hits = [located.mapping[o] for o in range(s, e) if o in located.mapping]
    return (min(hits), max(hits)) if hits else None


def _search(body: etree._Element, evidence: str) -> tuple[_Located, int, int] | None:
    """Fallback: the first paragraph whose visible text contains the evidence (spaces ignored)."""
    needle = "".join(evidence.split())
    if not needle:
        return None
    for p in body.iter(_P):
        if any(a.tag in (_TXBX, _MC_FALLBACK) for a in p.iterancestors() if a is not body):
            continue
        chars = paragraph_chars(p)
        idx = [k for k, c in enumerate(chars) if not c.ch.isspace()]
        hay = "".join(chars[k].ch for k in idx)
        pos = hay.find(needle)
        if pos >= 0:
            return _Located(chars, {}, p), idx[pos], idx[pos + len(needle) - 1]
    return None


class _Annotator:
    """Places the comments of one document into its parsed ``document.xml``."""

    def __init__(self, body: etree._Element, result: ScanResult, colour: str) -> None:
        self.body = body
        self.blocks = result.document.blocks
        self.offsets = result.document.block_offsets()
        self.colour = colour

    def place(self, f: Finding, cid: int) -> Placement:
        found = self._by_anchor(f)
        method = "anchor"
        if found is None:
            found, method = _search(self.body, f.text), "search"
        if found is None:
            scope = self._scope(f) or self.body
            _mark_point(scope, cid)
            return Placement(f.id, cid, "", "block")
        located, k0, k1 = found
        first, last = located.chars[k0], located.chars[k1]
        text = "".join(c.ch for c in located.chars[k0 : k1 + 1])
        _mark_range(first, last, cid, self.colour, located.scope)
        return Placement(f.id, cid, text, method)

    def _scope(self, f: Finding) -> etree._Element | None:
        bi = _block_of(self.offsets, self.blocks, f.start)
        anchor = self.blocks[bi].source.anchor if bi >= 0 else None
        return resolve_anchor(self.body, anchor) if anchor else None

    def _by_anchor(self, f: Finding) -> tuple[_Located, int, int] | None:
        bi = _block_of(self.offsets, self.blocks, f.start)
        el = self._scope(f)
        if el is None:
            return None
        block = self.blocks[bi]
        located = _locate_block(block, el)
        base = self.offsets[bi]
        span = _evidence_chars(located, f.start - base, min(f.end, base + len(block.text)) - base)
        return (located, *span) if span else None


# --------------------------------------------------------------------------- comments part


def _comment_element(
    parent: etree._Element, cid: int, f: Finding, author: str, initials: str, date: str
) -> None:
    attrs = {_ID: str(cid), W + "author": author, W + "date": date, W + "initials": initials}
    comment = etree.SubElement(parent, W + "comment", attrs)
    for n, line in enumerate(note_lines(f)):
        p = etree.SubElement(comment, W + "p")
        if n == 0:
            ref = etree.SubElement(p, _R)
            etree.SubElement(ref, W + "annotationRef")
        run = etree.SubElement(p, _R)
        if n == 0:
            etree.SubElement(etree.SubElement(run, _RPR), W + "b")
        t = etree.SubElement(run, _T)
        t.text = line
        _preserve(t)


def _new_comments_root() -> etree._Element:
    return etree.Element(W + "comments", nsmap={"w": _W_NS})


def _max_id(root: etree._Element | None, tags: Iterable[str]) -> int:
    if root is None:
        return -1
    ids = [_int_attr(el.get(_ID)) for tag in tags for el in root.iter(tag)]
    return max([-1, *ids])


def _int_attr(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        return -1


def _xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --------------------------------------------------------------------------- package


@dataclass
class _Pkg:
    """Members of the zip, the main part and its relationships part."""

    infos: list[zipfile.ZipInfo]
    members: dict[str, bytes]
    main: str

    @property
    def rels_name(self) -> str:
        base, name = posixpath.split(self.main)
        return posixpath.join(base, "_rels", name + ".rels")


def _open_package(data: bytes) -> _Pkg:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
        members = {i.filename: zf.read(i) for i in infos}
    main = "word/document.xml"
    rels = members.get("_rels/.rels")
    if rels:
        for rel in _parse_xml(rels).iter(f"{{{_REL_NS}}}Relationship"):
            if rel.get("Type", "").endswith("/officeDocument") and rel.get("TargetMode") != "External":
                main = posixpath.normpath(rel.get("Target", main).lstrip("/"))
    return _Pkg(infos, members, main)


def _comments_target(pkg: _Pkg) -> tuple[str, bool]:
    """(part name of the comments part, whether a relationship to it already exists)."""
    data = pkg.members.get(pkg.rels_name)
    if data:
        for rel in _parse_xml(data).iter(f"{{{_REL_NS}}}Relationship"):
            if rel.get("Type") == _COMMENTS_REL and rel.get("TargetMode") != "External":
                target = rel.get("Target", "")
                base = "" if target.startswith("/") else posixpath.dirname(pkg.main)
                return posixpath.normpath(posixpath.join(base, target.lstrip("/"))), True
    return posixpath.join(posixpath.dirname(pkg.main), "comments.xml"), False


def _add_relationship(pkg: _Pkg, part: str) -> bytes:
    data = pkg.members.get(pkg.rels_name)
    root = _parse_xml(data) if data else etree.Element(f"{{{_REL_NS}}}Relationships", nsmap={None: _REL_NS})
    used = {rel.get("Id") for rel in root}
    n = 1
    while f"rIdC{n}" in used:
        n += 1
    target = posixpath.relpath(part, posixpath.dirname(pkg.main) or ".")
    etree.SubElement(root, f"{{{_REL_NS}}}Relationship", Id=f"rIdC{n}", Type=_COMMENTS_REL, Target=target)
    return _xml_bytes(root)


def _add_content_type(pkg: _Pkg, part: str) -> bytes | None:
    data = pkg.members.get("[Content_Types].xml")
    if not data:
        return None
    root = _parse_xml(data)
    name = "/" + part
    for el in root.iter(f"{{{_CT_NS}}}Override"):
        if el.get("PartName", "").lower() == name.lower():
            return None
    etree.SubElement(root, f"{{{_CT_NS}}}Override", PartName=name, ContentType=_COMMENTS_CT)
    return _xml_bytes(root)


def _write_zip(pkg: _Pkg, changed: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        names = set()
        for info in pkg.infos:
            names.add(info.filename)
            zf.writestr(info, changed.get(info.filename, pkg.members[info.filename]))
        for name, data in changed.items():
            if name not in names:
                zf.writestr(zipfile.ZipInfo(name, date_time=_zip_time()), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = datetime.now()
    return (max(now.year, 1980), now.month, now.day, now.hour, now.minute, now.second)


# --------------------------------------------------------------------------- entry


def annotate_docx_placements(
    data: bytes,
    result: ScanResult,
    *,
    author: str = DEFAULT_AUTHOR,
    initials: str = DEFAULT_INITIALS,
    colour: str = "yellow",
    date: datetime | None = None,
) -> tuple[bytes, list[Placement]]:
    """The annotated document and where each finding's comment was placed (in finding order)."""
    check_source(data, result, MEDIA_TYPE, " Word（.docx）", "Word (.docx)")
    pkg = _open_package(data)
    root = _parse_xml(pkg.members[pkg.main])
    body = root.find(W + "body")
    if body is None:
        raise ReportInputError("Word 文档没有正文，无法添加批注", "The Word document has no body to annotate")
    comments_part, has_rel = _comments_target(pkg)
    existing = pkg.members.get(comments_part)
    comments = _parse_xml(existing) if existing else _new_comments_root()
    next_id = 1 + max(_max_id(comments, [W + "comment"]), _max_id(body, [W + "commentRangeStart"]))
    stamp = (date or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    annotator = _Annotator(body, result, colour)
    placements = []
    for n, f in enumerate(result.findings):
        placements.append(annotator.place(f, next_id + n))
        _comment_element(comments, next_id + n, f, author, initials, stamp)
    changed = {pkg.main: _xml_bytes(root), comments_part: _xml_bytes(comments)}
    if not has_rel:
        changed[pkg.rels_name] = _add_relationship(pkg, comments_part)
    content_types = _add_content_type(pkg, comments_part)
    if content_types is not None:
        changed["[Content_Types].xml"] = content_types
    return _write_zip(pkg, changed), placements


def annotate_docx(
    data: bytes,
    result: ScanResult,
    *,
    author: str = DEFAULT_AUTHOR,
    initials: str = DEFAULT_INITIALS,
    colour: str = "yellow",
    date: datetime | None = None,
) -> bytes:
    """The original DOCX with one comment per finding, anchored on the highlighted evidence."""
    out, _ = annotate_docx_placements(
        data, result, author=author, initials=initials, colour=colour, date=date
    )
    return out


def comment_ranges(document_xml: bytes) -> Iterator[tuple[int, str]]:
    """(comment id, text between its range start and end) for every comment range of a part."""
    root = _parse_xml(document_xml)
    open_ids: dict[int, list[str]] = {}
    for node in root.iter(W + "commentRangeStart", W + "commentRangeEnd", _T):
        if node.tag == W + "commentRangeStart":
            open_ids[_int_attr(node.get(_ID))] = []
        elif node.tag == W + "commentRangeEnd":
            cid = _int_attr(node.get(_ID))
            if cid in open_ids:
                yield cid, "".join(open_ids.pop(cid))
        else:
            for parts in open_ids.values():
                parts.append(node.text or "")
