"""Train the clause classifier from corpus/clauses/ into models/clause_clf/<version>/.

Pipeline: two TF-IDF views (character n-grams of the normalised text; jieba words through
the spaCy tokenizer) → linear SVM, one-vs-rest over the categories plus "none", wrapped in
sigmoid calibration so that ``predict_proba`` is a calibrated probability. C is chosen by
stratified cross-validation on train; the model-only threshold is chosen on dev; test is
only measured. Fixed seed; the artifact is saved with skops (never pickle) next to a
manifest of hashes, versions, labels, thresholds and metrics, and a model card.

    tenderscan train [--corpus corpus/clauses] [--out models/clause_clf] [--version 1]
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scanner.evaluate import Example, read_examples

SEED = 20261125
C_GRID = (0.1, 0.3, 1.0)
MIN_PRECISION = 0.93


def featurize(texts: list[str]) -> np.ndarray:
    """Model input from raw clause texts (normalised here)."""
    from scanner.normalize import normalize_for_match

    return featurize_normalised([normalize_for_match(t) for t in texts])


def featurize_normalised(norms: list[str]) -> np.ndarray:
    """Model input: one row per clause, column 0 = normalised text, column 1 = space-joined words."""
    from scanner.nlp import tokens

    rows = np.empty((len(norms), 2), dtype=object)
    for i, norm in enumerate(norms):
        rows[i, 0] = norm
        rows[i, 1] = " ".join(tokens(norm))
    return rows


def build_pipeline(c: float):  # type: ignore[no-untyped-def]
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    features = ColumnTransformer(
        [
            ("char", TfidfVectorizer(analyzer="char", ngram_range=(1, 4), min_df=2, sublinear_tf=True), 0),
            (
                "word",
                TfidfVectorizer(
                    analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2), min_df=2, sublinear_tf=True
                ),
                1,
            ),
        ]
    )
    svm = LinearSVC(C=c, class_weight="balanced", random_state=SEED, max_iter=5000)
    return Pipeline([("features", features), ("clf", CalibratedClassifierCV(svm, method="sigmoid", cv=5))])


def _sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Split:
    name: str
    examples: list[Example]
    X: np.ndarray

    @property
    def y(self) -> list[str]:
        return [e.label for e in self.examples]


def _binary_metrics(gold: list[str], pred: list[str]) -> dict[str, float]:
    tp = sum(g != "none" and p != "none" for g, p in zip(gold, pred, strict=True))
    fp = sum(g == "none" and p != "none" for g, p in zip(gold, pred, strict=True))
    fn = sum(g != "none" and p == "none" for g, p in zip(gold, pred, strict=True))
    cat = sum(g != "none" and p == g for g, p in zip(gold, pred, strict=True))
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {
        "precision": round(prec, 4),
        "recall": round(rec, 4),
        "f1": round(f1, 4),
        "category_accuracy": round(cat / tp, 4) if tp else 0.0,
    }


def predict_with_threshold(proba: np.ndarray, classes: list[str], threshold: float) -> list[str]:
    """Top non-"none" class when its probability passes ``threshold``, else "none"."""
    none_idx = classes.index("none")
    masked = proba.copy()
    masked[:, none_idx] = -1.0
    best = masked.argmax(axis=1)
    return [classes[b] if masked[i, b] >= threshold else "none" for i, b in enumerate(best)]


def choose_threshold(proba: np.ndarray, classes: list[str], gold: list[str]) -> float:
    """Lowest threshold whose binary precision on dev is >= MIN_PRECISION with the best F1."""
    best_t, best_f1 = 0.9, -1.0
    for t in np.round(np.arange(0.3, 0.96, 0.025), 3):
        m = _binary_metrics(gold, predict_with_threshold(proba, classes, float(t)))
        if m["precision"] >= MIN_PRECISION and m["f1"] > best_f1:
            best_t, best_f1 = float(t), m["f1"]
    return best_t


def train(corpus: Path, out: Path, version: str = "1") -> dict[str, object]:
    import sklearn
    import skops
    import skops.io as sio
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    started = time.time()
    splits = {}
    for name in ("train", "dev", "test"):
        examples = read_examples(corpus / f"{name}.jsonl")
        splits[name] = Split(name, examples, featurize([e.text for e in examples]))
    tr = splits["train"]

    cv = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    cv_scores = {}
    for c in C_GRID:
        cv_scores[c] = float(
            np.mean(cross_val_score(build_pipeline(c), tr.X, tr.y, cv=cv, scoring="f1_macro"))
        )
    best_c = max(C_GRID, key=lambda c: (cv_scores[c], -c))
    model = build_pipeline(best_c).fit(tr.X, tr.y)
    classes = [str(c) for c in model.classes_]

    dev_proba = model.predict_proba(splits["dev"].X)
    threshold = choose_threshold(dev_proba, classes, splits["dev"].y)
    metrics = {}
    for name in ("dev", "test"):
        proba = dev_proba if name == "dev" else model.predict_proba(splits[name].X)
        metrics[name] = _binary_metrics(splits[name].y, predict_with_threshold(proba, classes, threshold))

    target = out / version
    target.mkdir(parents=True, exist_ok=True)
    model_path = target / "model.skops"
    sio.dump(model, model_path)
    manifest = {
        "name": "clause_clf",
        "version": version,
        "created_by": "scanner/train.py",
        "seed": SEED,
        "model_file": model_path.name,
        "model_sha256": _sha256_file(model_path),
        "trusted_types": sorted(set(sio.get_untrusted_types(file=model_path))),
        "training_data": {
            name: {
                "file": f"corpus/clauses/{name}.jsonl",
                "sha256": _sha256_file(corpus / f"{name}.jsonl"),
                "n": len(splits[name].examples),
            }
            for name in ("train", "dev", "test")
        },
        "labels": classes,
        "hyperparameters": {
            "C": best_c,
            "cv_f1_macro": {str(k): round(v, 4) for k, v in cv_scores.items()},
            "calibration": "sigmoid, 5-fold",
            "char_ngrams": [1, 4],
            "word_ngrams": [1, 2],
        },
        "thresholds": {"model_only": threshold, "agree": 0.3, "reject_none": 0.9},
        "metrics": metrics,
        "versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "skops": skops.__version__,
            "numpy": np.__version__,
        },
        "train_seconds": round(time.time() - started, 1),
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return manifest


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="tenderscan train")
    p.add_argument("--corpus", default="corpus/clauses")
    p.add_argument("--out", default="models/clause_clf")
    p.add_argument("--version", default="1")
    a = p.parse_args(argv)
    manifest = train(Path(a.corpus), Path(a.out), a.version)
    print(
        json.dumps(
            {k: manifest[k] for k in ("hyperparameters", "thresholds", "metrics", "train_seconds")},
            ensure_ascii=False,
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
