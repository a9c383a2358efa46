"""Load taxonomy, legal basis, term lists and rules from lexicons/ into compiled objects."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from scanner.resources import lexicons_dir
from scanner.rules.schema import Rule
from scanner.types import LegalBasis

_TERM_REF = re.compile(r"\{terms:([a-z_]+)\}")


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    severity: str
    clause_level: bool
    legal_basis: tuple[str, ...]
    concern: str = ""  # what is wrong with such a clause (used by model-only explanations)
    suggestion: str = ""  # generic rewrite advice for the category


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    patterns: tuple[tuple[re.Pattern[str], float, str], ...]
    boost: tuple[re.Pattern[str], ...]
    exceptions: tuple[re.Pattern[str], ...]
    mitigation: tuple[re.Pattern[str], ...]
    requires: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Catalogue:
    categories: dict[str, Category]
    legal_basis: dict[str, LegalBasis]
    precedence: tuple[str, ...]
    rules: tuple[CompiledRule, ...]
    terms: dict[str, tuple[str, ...]]
    version: str  # sha256 prefix over every file that shapes detection


def read_terms(path: Path) -> tuple[str, ...]:
    """One term per line; '#' starts a comment; blank lines ignored."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        term = line.split("#", 1)[0].strip()
        if term:
            out.append(term)
    return tuple(dict.fromkeys(out))


def expand_terms(regex: str, terms: dict[str, tuple[str, ...]]) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in terms:
            raise KeyError(f"unknown term list '{name}' in pattern {regex!r}")
        words = sorted(terms[name], key=len, reverse=True)
        return "(?:" + "|".join(re.escape(w) for w in words) + ")"

    return _TERM_REF.sub(repl, regex)


def _compile(regexes: list[str], terms: dict[str, tuple[str, ...]]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(expand_terms(r, terms)) for r in regexes)


def compile_rule(rule: Rule, terms: dict[str, tuple[str, ...]]) -> CompiledRule:
    return CompiledRule(
        rule=rule,
        patterns=tuple((re.compile(expand_terms(p.regex, terms)), p.score, p.name) for p in rule.patterns),
        boost=_compile(rule.context.boost, terms),
        exceptions=_compile(rule.context.exceptions, terms),
        mitigation=_compile(rule.context.mitigation, terms),
        requires=_compile(rule.context.requires, terms),
    )


def load_rule_files(root: Path) -> list[tuple[Path, Rule]]:
    out = []
    for path in sorted((root / "rules").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        out.append((path, Rule.model_validate(data)))
    return out


def _hash_files(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_catalogue(root: Path | None = None) -> Catalogue:
    root = root or lexicons_dir()
    tax = yaml.safe_load((root / "taxonomy.yaml").read_text(encoding="utf-8"))
    categories = {
        c["id"]: Category(
            c["id"],
            c["name"],
            c["severity"],
            bool(c["clause_level"]),
            tuple(c["legal_basis"]),
            c.get("concern", ""),
            c.get("suggestion", ""),
        )
        for c in tax["categories"]
    }
    legal = {
        e["id"]: LegalBasis(id=e["id"], law=e["law"], article=e["article"], item=e["item"], text=e["text"])
        for e in yaml.safe_load((root / "legal_basis.yaml").read_text(encoding="utf-8"))
    }
    terms = {p.stem: read_terms(p) for p in sorted((root / "terms").glob("*.txt"))}
    rules = []
    for path, rule in load_rule_files(root):
        if rule.category not in categories:
            raise ValueError(f"{path.name}: unknown category {rule.category}")
        for lb in rule.legal_basis:
            if lb not in legal:
                raise ValueError(f"{path.name}: unknown legal basis {lb}")
        rules.append(compile_rule(rule, terms))
    ids = [r.rule.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("duplicate rule ids")
    files = [
        root / "spec_rules.yaml",
        root / "taxonomy.yaml",
        root / "legal_basis.yaml",
        *(root / "terms").glob("*"),
        *(root / "rules").glob("*.yaml"),
    ]
    return Catalogue(
        categories=categories,
        legal_basis=legal,
        precedence=tuple(tax.get("precedence", [])),
        rules=tuple(rules),
        terms=terms,
        version=_hash_files([f for f in files if f.is_file()]),
    )


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return load_catalogue()
