"""Evaluation on labelled clauses: {"text": ..., "label": category id or "none"} per line."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import ExtractionFailed


@dataclass
class Example:
    text: str
    label: str


@dataclass
class Scores:
    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    cat_correct: int = 0
    per_cat: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[tuple[str, str, str]] = field(default_factory=list)  # (gold, predicted, text)

    @staticmethod
    def _ratio(a: int, b: int) -> float:
        return a / b if b else 0.0

    @property
    def precision(self) -> float:
        return self._ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self._ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def category_accuracy(self) -> float:
        """Share of true positives whose predicted category equals the gold one."""
        return self._ratio(self.cat_correct, self.tp)

    def category_pr(self, cat: str) -> tuple[float, float, int]:
        c = self.per_cat.get(cat, {})
        tp, fp, fn = c.get("tp", 0), c.get("fp", 0), c.get("fn", 0)
        return self._ratio(tp, tp + fp), self._ratio(tp, tp + fn), tp + fn

    def to_dict(self) -> dict[str, object]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "category_accuracy": round(self.category_accuracy, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
        }


def read_examples(path: str | Path) -> list[Example]:
    out = []
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ExtractionFailed(f"无法读取评测文件：{p}", f"Cannot read evaluation file: {p}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            out.append(Example(text=str(obj["text"]), label=str(obj["label"])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ExtractionFailed(
                f"评测文件第 {n} 行格式错误（需要 text 与 label 字段）",
                f"Line {n} of the evaluation file is malformed (needs text and label)",
            ) from exc
    return out


def score(name: str, examples: Iterable[Example], predict: Callable[[str], str]) -> Scores:
    s = Scores(name)
    for ex in examples:
        pred = predict(ex.text)
        gold_pos, pred_pos = ex.label != "none", pred != "none"
        if gold_pos and pred_pos:
            s.tp += 1
            s.cat_correct += pred == ex.label
        elif pred_pos:
            s.fp += 1
        elif gold_pos:
            s.fn += 1
        else:
            s.tn += 1
        if pred != ex.label:
            s.errors.append((ex.label, pred, ex.text))
            if pred_pos:
                s.per_cat.setdefault(pred, {}).setdefault("fp", 0)
                s.per_cat[pred]["fp"] += 1
            if gold_pos:
                s.per_cat.setdefault(ex.label, {}).setdefault("fn", 0)
                s.per_cat[ex.label]["fn"] += 1
        elif gold_pos:
            s.per_cat.setdefault(ex.label, {}).setdefault("tp", 0)
            s.per_cat[ex.label]["tp"] += 1
    return s
