"""The clause classifier: a scikit-learn pipeline loaded with skops, scored per document batch."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scanner.errors import ScanError
from scanner.resources import models_dir

# Types a shipped model may contain; anything else in the file is refused at load.
_TRUSTED_PREFIXES = ("sklearn.", "numpy.", "scipy.", "builtins.")
_PUNCT = re.compile(r"[，,；;。！？:：、（）()“”\"']")
_SEGMENT = re.compile(r"[^，,；;。！？:：]+")


class ModelError(ScanError):
    code = "model_error"
    http_status = 500


@dataclass(frozen=True)
class ClausePrediction:
    label: str  # best non-"none" category
    prob: float  # its calibrated probability
    p_none: float
    features: Any = None  # the clause's feature row (sparse), kept to explain the prediction


def latest_model_dir(root: Path | None = None) -> Path | None:
    base = (root or models_dir()) / "clause_clf"
    versions = [p for p in base.glob("*") if (p / "manifest.json").is_file()]
    if not versions:
        return None
    return max(versions, key=lambda p: (len(p.name), p.name))


class ClauseClassifier:
    name = "classifier"

    def __init__(self, model_dir: Path) -> None:
        import skops.io as sio

        self.dir = model_dir
        self.manifest = json.loads((model_dir / "manifest.json").read_text(encoding="utf-8"))
        path = model_dir / self.manifest["model_file"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != self.manifest["model_sha256"]:
            raise ModelError(
                f"模型文件校验失败：{path}", f"Model file checksum does not match its manifest: {path}"
            )
        untrusted = sio.get_untrusted_types(file=path)
        bad = [t for t in untrusted if not t.startswith(_TRUSTED_PREFIXES)]
        if bad:
            raise ModelError("模型文件包含不受信任的类型", f"Model file contains untrusted types: {bad}")
        self.model = sio.load(path, trusted=untrusted)
        self.classes: list[str] = [str(c) for c in self.model.classes_]
        self.none_idx = self.classes.index("none")
        t = self.manifest["thresholds"]
        self.threshold = float(t["model_only"])
        self.agree = float(t["agree"])
        self.reject_none = float(t["reject_none"])
        self.version = f"clause_clf/{self.manifest['version']}"
        features = self.model.named_steps["features"]
        self.feature_names = features.get_feature_names_out()
        svms = [cc.estimator for cc in self.model.named_steps["clf"].calibrated_classifiers_]
        self.coef = np.mean(
            [svm.coef_.toarray() if hasattr(svm.coef_, "toarray") else svm.coef_ for svm in svms], axis=0
        )
        self.svm_classes = [str(c) for c in svms[0].classes_]

    def predict(self, norms: list[str]) -> list[ClausePrediction]:
        """Calibrated predictions for a batch of normalised clause texts."""
        if not norms:
            return []
        from scanner.train import featurize_normalised

        X = self.model.named_steps["features"].transform(featurize_normalised(norms)).tocsr()
        proba = self.model.named_steps["clf"].predict_proba(X)
        out = []
        for i, row in enumerate(proba):
            masked = row.copy()
            masked[self.none_idx] = -1.0
            best = int(masked.argmax())
            out.append(
                ClausePrediction(self.classes[best], float(row[best]), float(row[self.none_idx]), X[i])
            )
        return out

    def top_features(self, pred: ClausePrediction, k: int = 6) -> list[tuple[str, float]]:
        """The n-grams/words of this clause that pushed most towards the predicted label."""
        x = pred.features
        w = self.coef[self.svm_classes.index(pred.label)]
        contrib = [(self.feature_names[j], float(v * w[j])) for j, v in zip(x.indices, x.data, strict=True)]
        named = [(n.split("__", 1)[1].strip(), c) for n, c in contrib if c > 0]
        named = [(n, c) for n, c in named if len(n.replace(" ", "")) > 1 and not _PUNCT.search(n)]
        named.sort(key=lambda nc: -nc[1])
        chosen: list[tuple[str, float]] = []
        for n, c in named:
            flat = n.replace(" ", "")
            if any(flat in o.replace(" ", "") or o.replace(" ", "") in flat for o, _ in chosen):
                continue
            chosen.append((n, c))
            if len(chosen) == k:
                break
        return chosen

    def evidence_span(self, norm: str, features: list[tuple[str, float]]) -> tuple[int, int]:
        """The comma-segment of the clause carrying most of the driving features."""
        best, best_score = (0, len(norm)), -1.0
        for m in _SEGMENT.finditer(norm):
            seg = m.group(0)
            if not seg.strip():
                continue
            score = sum(w for f, w in features if f.replace(" ", "") in seg)
            if score > best_score:
                best, best_score = m.span(), score
        s, e = best
        while s < e and norm[s].isspace():
            s += 1
        while e > s and norm[e - 1].isspace():
            e -= 1
        return s, e
