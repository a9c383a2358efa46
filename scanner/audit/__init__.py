"""Batch audit of many tender documents into a SQLite store (``tenderscan audit``).

Modules: ``walk`` (folders and zip archives, sniffed by bytes, archive-bomb limits), ``runner`` (the
run: hashing, skipping what is stored, parallel scanning, SIGINT), ``local_engine`` / ``dask_engine``
(execution backends), ``store`` (SQLite layout, see SCHEMA.md), ``metadata`` (project, buyer, dates,
budget), ``progress``, ``report`` / ``html`` (HTML, XLSX, CSV reports). See README.md.
"""

from scanner.audit.runner import AuditOptions, RunSummary, run_audit

__all__ = ["AuditOptions", "RunSummary", "run_audit"]
