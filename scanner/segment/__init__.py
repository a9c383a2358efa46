"""Segmentation: heading ladder → section paths and kinds → clauses with offsets."""

from scanner.segment.clauses import segment
from scanner.segment.headings import heading_of, pattern_rank
from scanner.segment.kinds import section_kind

__all__ = ["heading_of", "pattern_rank", "section_kind", "segment"]
