"""Precision/recall of the product-side categories on technical-specification clause sets.

Each clause is scanned as a tiny document: a one-line title that states its regime (政府采购 goods
or a 招标投标法 works tender), then the clause, so regime-dependent severities and mitigations
apply as they would in a real document. The label is the category of the engine's top finding
(the same choice as `tenderscan eval`).

    python tools/eval_spec.py corpus/spec_dev.jsonl corpus/spec_dev2.jsonl --errors
    python tools/eval_spec.py corpus/spec_eval.jsonl          # held out: figures only

Held-out files (name starting with ``spec_eval``) never print their errors: reading them would
turn the set into a tuning set.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.engine import ScanEngine

CATEGORIES = ("brand_tailored", "spec_tailored", "specific_patent_or_origin")
TITLES = {"zc": "政府采购货物招标文件", "zb": "依法必须招标的施工项目招标文件（招标投标法）"}
TARGETS = {
    "brand_tailored": (0.90, 0.85),
    "spec_tailored": (0.80, 0.70),
    "specific_patent_or_origin": (0.80, 0.70),
}


def read(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predictor(engine: ScanEngine) -> Callable[[dict[str, str]], tuple[str, str]]:
    def predict(row: dict[str, str]) -> tuple[str, str]:
        top = engine.top_finding(engine.scan_text(TITLES[row["regime"]] + "\n" + row["text"]).findings)
        return ("none", "") if top is None else (top.category, f"{top.detectors[0]} «{top.text}»")

    return predict


def table(rows: list[dict[str, str]], preds: list[str]) -> dict[str, tuple[float, float, int, int, int]]:
    out = {}
    for cat in CATEGORIES:
        tp = sum(p == cat and r["label"] == cat for r, p in zip(rows, preds, strict=True))
        fp = sum(p == cat and r["label"] != cat for r, p in zip(rows, preds, strict=True))
        fn = sum(p != cat and r["label"] == cat for r, p in zip(rows, preds, strict=True))
        out[cat] = (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, tp, fp, fn)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument(
        "--errors", action="store_true", help="list misclassified clauses (not for held-out files)"
    )
    ap.add_argument("--rules-only", action="store_true", help="skip the classifier run")
    args = ap.parse_args(argv)
    engines = [("rules+spec", ScanEngine(model=False))]
    if not args.rules_only:
        engines.append(("combined", ScanEngine()))
    for path in args.files:
        rows = read(path)
        held_out = path.name.startswith("spec_eval")
        print(f"\n## {path} (n={len(rows)}{', held out' if held_out else ''})")
        print("| engine | category | precision | recall | tp | fp | fn | target P/R |")
        print("|---|---|---:|---:|---:|---:|---:|---|")
        for name, engine in engines:
            predict = predictor(engine)
            results = [predict(r) for r in rows]
            preds = [p for p, _ in results]
            for cat, (p, r, tp, fp, fn) in table(rows, preds).items():
                if tp + fp + fn == 0:
                    continue
                tp_, tr_ = TARGETS[cat]
                met = "met" if p >= tp_ and r >= tr_ else "not met"
                print(
                    f"| {name} | {cat} | {p:.3f} | {r:.3f} | {tp} | {fp} | {fn} | {tp_:.2f}/{tr_:.2f} {met} |"
                )
            if args.errors and not held_out:
                for row, (pred, why) in zip(rows, results, strict=True):
                    if pred != row["label"] and (pred in CATEGORIES or row["label"] in CATEGORIES):
                        print(f"  [{name}] {row['label']} -> {pred} {why} :: {row['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
