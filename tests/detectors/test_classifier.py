"""The shipped classifier: manifest matches the artifact, loads safely, predicts, reproducible."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scanner.detectors.classifier import ClauseClassifier, latest_model_dir
from scanner.engine import ScanEngine
from scanner.normalize import normalize_for_match
from scanner.rules.loader import default_catalogue

MODEL_DIR = latest_model_dir()
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def clf() -> ClauseClassifier:
    assert MODEL_DIR is not None, "no model shipped in models/clause_clf/"
    return ClauseClassifier(MODEL_DIR)


def test_manifest_matches_artifact_and_corpus(clf: ClauseClassifier) -> None:
    m = clf.manifest
    assert hashlib.sha256((MODEL_DIR / m["model_file"]).read_bytes()).hexdigest() == m["model_sha256"]
    assert m["labels"] == clf.classes
    cats = {c.id for c in default_catalogue().categories.values() if c.clause_level}
    assert set(m["labels"]) == cats | {"none"}
    for split, info in m["training_data"].items():
        data = (REPO / info["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"], f"{split} changed since training: retrain"
    for split in ("dev", "test"):
        assert set(m["metrics"][split]) >= {"precision", "recall", "f1", "category_accuracy"}
    assert 0.0 < m["thresholds"]["model_only"] < 1.0
    assert (MODEL_DIR / "MODEL_CARD.md").is_file()


def test_model_file_is_skops_not_pickle() -> None:
    assert MODEL_DIR is not None
    files = [p.name for p in MODEL_DIR.iterdir()]
    assert any(f.endswith(".skops") for f in files)
    assert not any(f.endswith((".pkl", ".pickle", ".joblib")) for f in files)


def test_tampered_model_is_refused(tmp_path: Path) -> None:
    assert MODEL_DIR is not None
    for p in MODEL_DIR.iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    manifest["model_sha256"] = "0" * 64
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    from scanner.detectors.classifier import ModelError

    with pytest.raises(ModelError):
        ClauseClassifier(tmp_path)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("投标人注册资本须不低于人民币5000万元。", "firm_size"),
        ("供应商成立时间不少于五年，以营业执照登记日期为准。", "years_in_business"),
        ("投标人须为本项目所在市的注册企业，外地企业不得参与。", "regional_restriction"),
        ("在本市设有常驻售后服务机构的得3分，未设立的不得分。", "local_branch"),
        ("投标人须提供中国质量检验协会会员证书。", "nonstatutory_qualification"),
        ("交货地点为采购人指定地点，交货期为合同签订后30日内。", "none"),
        ("投标报价以人民币报价，报价应包含运输、安装、调试及培训等全部费用。", "none"),
    ],
)
def test_predicts_fixed_clauses(clf: ClauseClassifier, text: str, label: str) -> None:
    pred = clf.predict([normalize_for_match(text)])[0]
    got = pred.label if pred.prob >= clf.threshold else "none"
    assert got == label, (text, pred)


def test_model_only_finding_has_span_explanation_and_capped_severity() -> None:
    engine = ScanEngine(use_rules=False)
    text = "投标人注册资本须不低于人民币5000万元，否则投标无效。"
    findings = engine.scan_text(text).findings
    assert findings, "model-only finding expected"
    f = findings[0]
    assert f.detectors == ("classifier",)
    assert f.severity in ("medium", "low")
    assert f.text and f.text in text and text[f.start : f.end] == f.text
    assert "分类模型" in f.explanation and "“" in f.explanation  # names the driving wording
