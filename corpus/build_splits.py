"""Build corpus/clauses/{train,dev,test}.jsonl from the hand-written batches in corpus/clauses/raw/.

Near-duplicates (character 4-gram Jaccard > NEAR_DUP) are grouped and a group always goes
to one split, so no split contains a near-copy of another split's text. A group's split is fixed by the hash of its smallest
text (3:1:1 train/dev/test), so adding new batches never moves an existing clause to
another split — the test split stays untouched by tuning on train and dev.

    python corpus/build_splits.py
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy import sparse

ROOT = Path(__file__).resolve().parent / "clauses"
NEAR_DUP = 0.5
PATTERN = ("train", "train", "train", "dev", "test")


def shingles(text: str, n: int = 4) -> set[str]:
    t = "".join(text.split())
    return {t[i : i + n] for i in range(max(1, len(t) - n + 1))}


def near_duplicate_pairs(texts: list[str], threshold: float = NEAR_DUP) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) with 4-gram Jaccard above ``threshold`` (sparse matrix product)."""
    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        for s in shingles(t):
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    m = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab))
    )
    m.data[:] = 1.0
    sizes = np.asarray(m.sum(axis=1)).ravel()
    inter = (m @ m.T).tocoo()
    out = []
    for i, j, v in zip(inter.row, inter.col, inter.data, strict=True):
        if i < j:
            jac = v / (sizes[i] + sizes[j] - v)
            if jac > threshold:
                out.append((int(i), int(j), float(jac)))
    return out


def _groups(n: int, pairs: list[tuple[int, int, float]]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j, _ in pairs:
        parent[find(i)] = find(j)
    return [find(i) for i in range(n)]


def load_raw() -> list[dict]:
    seen: set[str] = set()
    out = []
    for path in sorted((ROOT / "raw").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            key = "".join(rec["text"].split())
            if key in seen:
                continue
            seen.add(key)
            out.append(rec)
    return out


def main() -> None:
    recs = load_raw()
    texts = [r["text"] for r in recs]
    group = _groups(len(recs), near_duplicate_pairs(texts))
    members: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(group):
        members[g].append(i)
    split_of: dict[int, str] = {}
    for g, idx in members.items():
        key = min(texts[i] for i in idx)
        split_of[g] = PATTERN[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(PATTERN)]
    files = {name: (ROOT / f"{name}.jsonl").open("w", encoding="utf-8") for name in ("train", "dev", "test")}
    counts: dict[str, int] = defaultdict(int)
    for i, rec in enumerate(recs):
        name = split_of[group[i]]
        row = {"text": rec["text"], "label": rec["label"]}
        for extra in ("kind", "near", "style"):
            if rec.get(extra) is not None:
                row[extra] = rec[extra]
        files[name].write(json.dumps(row, ensure_ascii=False) + "\n")
        counts[name] += 1
    for f in files.values():
        f.close()
    print(dict(counts), "groups:", len(members), "records:", len(recs))


if __name__ == "__main__":
    main()
