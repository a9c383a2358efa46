"""Rule schema: one YAML file per rule in lexicons/rules/, validated at load."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scanner.types import SectionKind as SectionKindName

_SPAN = re.compile(r"\[\[(.+?)\]\]")


class Pattern(BaseModel):
    """A regex over the normalised clause text. ``{terms:NAME}`` expands to a term list."""

    model_config = ConfigDict(extra="forbid")
    regex: str
    score: float = Field(ge=0.0, le=1.0)
    name: str = ""


class Context(BaseModel):
    model_config = ConfigDict(extra="forbid")
    boost: list[str] = Field(default_factory=list)  # regexes; near the match raise the score
    exceptions: list[str] = Field(default_factory=list)  # regexes; in the clause → no finding
    mitigation: list[str] = Field(default_factory=list)  # regexes; lower severity by one step
    requires: list[str] = Field(default_factory=list)  # regexes; all must occur in the clause
    window: int = 40  # characters around the match searched for boost cues
    negation: bool = True  # apply the generic negation check (不得/不以/不作要求… before the match)


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    section_kind: SectionKindName = "other"

    @property
    def plain(self) -> str:
        return _SPAN.sub(lambda m: m.group(1), self.text)

    @property
    def span(self) -> str | None:
        m = _SPAN.search(self.text)
        return m.group(1) if m else None


def _as_example(v: object) -> object:
    return {"text": v} if isinstance(v, str) else v


class Examples(BaseModel):
    model_config = ConfigDict(extra="forbid")
    positive: list[Example]
    negative: list[Example]

    @field_validator("positive", "negative", mode="before")
    @classmethod
    def _strings_ok(cls, v: object) -> object:
        return [_as_example(x) for x in v] if isinstance(v, list) else v

    @model_validator(mode="after")
    def _check(self) -> Examples:
        for ex in self.positive:
            if ex.span is None:
                raise ValueError(f"positive example without [[span]]: {ex.text}")
        for ex in self.negative:
            if ex.span is not None:
                raise ValueError(f"negative example must not mark a span: {ex.text}")
        return self


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{3}$")
    category: str
    severity: Literal["high", "medium", "low"] | None = None  # default: the category's
    title: str
    description: str = ""
    applies_to: list[SectionKindName] = Field(default_factory=list)  # empty: every kind but forms
    triggers: list[str] = Field(min_length=1)  # literal substrings; one must occur for the rule to run
    patterns: list[Pattern] = Field(min_length=1)
    context: Context = Field(default_factory=Context)
    filters: list[str] = Field(default_factory=list)  # names of is_* predicates in scanner.context
    legal_basis: list[str] = Field(default_factory=list)  # default: the category's
    explanation: str  # Chinese; {evidence} is replaced by the matched text
    suggestion: str  # Chinese rewrite advice; {evidence} allowed
    examples: Examples
