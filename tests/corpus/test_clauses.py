"""The labelled corpus: valid labels, sizes, and no (near-)duplicates across splits."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from scanner.rules.loader import default_catalogue

ROOT = Path(__file__).resolve().parents[2] / "corpus"
sys.path.insert(0, str(ROOT))
from build_splits import NEAR_DUP, near_duplicate_pairs  # noqa: E402

SPLITS = ("train", "dev", "test")
CATEGORIES = {c.id for c in default_catalogue().categories.values() if c.clause_level}


def _load(name: str) -> list[dict]:
    return [
        json.loads(line)
        for line in (ROOT / "clauses" / f"{name}.jsonl").read_text("utf-8").splitlines()
        if line
    ]


DATA = {name: _load(name) for name in SPLITS}


@pytest.mark.parametrize("name", SPLITS)
def test_labels_are_category_ids_or_none(name: str) -> None:
    bad = [r["label"] for r in DATA[name] if r["label"] not in CATEGORIES | {"none"}]
    assert not bad


def test_total_size_and_negative_share() -> None:
    rows = [r for name in SPLITS for r in DATA[name]]
    assert len(rows) >= 4000
    negatives = [r for r in rows if r["label"] == "none"]
    hard = [r for r in negatives if r.get("kind") == "hard_negative"]
    assert len(negatives) / len(rows) >= 0.5
    assert len(hard) / len(negatives) >= 0.5


def test_every_category_has_enough_positives() -> None:
    train = Counter(r["label"] for r in DATA["train"])
    dev = Counter(r["label"] for r in DATA["dev"])
    assert {c: train[c] for c in CATEGORIES if train[c] < 40} == {}
    assert {c: dev[c] for c in CATEGORIES if dev[c] < 15} == {}
    assert len(DATA["dev"]) >= 800


def test_no_exact_duplicates_anywhere() -> None:
    keys = Counter("".join(r["text"].split()) for name in SPLITS for r in DATA[name])
    assert [k for k, n in keys.items() if n > 1] == []


def test_no_near_duplicates_across_splits() -> None:
    texts, split_of = [], []
    for name in SPLITS:
        for r in DATA[name]:
            texts.append(r["text"])
            split_of.append(name)
    cross = [
        (texts[i], texts[j], round(s, 2))
        for i, j, s in near_duplicate_pairs(texts, NEAR_DUP)
        if split_of[i] != split_of[j]
    ]
    assert cross == []


def test_near_duplicate_detector_can_fire() -> None:
    pairs = near_duplicate_pairs(
        [
            "投标人须在天津市注册并具有独立法人资格。",
            "投标人须在北京市注册并具有独立法人资格。",
            "交货期为合同签订后30日内。",
        ]
    )
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
