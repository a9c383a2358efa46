"""The Dask backend on a real LocalCluster gives the same store as the local run."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.audit.runner import AuditOptions, run_audit

from .conftest import finding_keys, query

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed")


def test_local_cluster_matches_local_run(corpus: Path, tmp_path: Path) -> None:
    from scanner.audit.dask_engine import DaskBackend

    paths = [str(corpus / "real"), str(corpus / "sample_tender.docx"), str(corpus / "sample_short.txt")]
    n_docs = len(list((corpus / "real").iterdir())) + 2
    local_db, dask_db = tmp_path / "local.sqlite", tmp_path / "dask.sqlite"
    local = run_audit(AuditOptions(paths=paths, db=local_db, jobs=2, timeout_s=300))
    assert local.scanned == n_docs and local.failed == 0
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        summary = run_audit(
            AuditOptions(paths=paths, db=dask_db, engine="dask"),
            backend=DaskBackend(client=client, timeout_s=300),
        )
        assert not summary.interrupted and summary.failed == 0
        assert summary.scanned == n_docs
        # resumable the same way: a second run over the cluster scans nothing
        again = run_audit(
            AuditOptions(paths=paths, db=dask_db, engine="dask"), backend=DaskBackend(client=client)
        )
        assert again.scanned == 0 and again.skipped == n_docs
    assert finding_keys(dask_db) == finding_keys(local_db)
    assert query(dask_db, "SELECT path, buyer, published_date FROM documents ORDER BY path") == query(
        local_db, "SELECT path, buyer, published_date FROM documents ORDER BY path"
    )
    assert query(dask_db, "SELECT backend FROM runs") == [("dask",), ("dask",)]
