"""tenderscan: the command line, a thin adapter over ScanEngine (no detection logic here)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from scanner.errors import ScanError
from scanner.types import SEVERITY_RANK, ScanResult
from scanner.version import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
_DOC_SUFFIXES = {".pdf", ".docx", ".doc", ".wps", ".txt"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: exit 2, bilingual, no traceback
        self.print_usage(sys.stderr)
        sys.stderr.write(f"tenderscan: 参数错误 / usage error: {message}\n")
        sys.exit(EXIT_ERROR)


def _err(message: str) -> None:
    sys.stderr.write(f"tenderscan: {message}\n")


def iter_paths(paths: Sequence[str]) -> Iterator[Path]:
    """Files given directly, and documents found recursively in folders."""
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in _DOC_SUFFIXES)
        else:
            yield p


def _filter(result: ScanResult, min_severity: str) -> ScanResult:
    floor = SEVERITY_RANK[min_severity]
    kept = tuple(f for f in result.findings if SEVERITY_RANK[f.severity] >= floor)
    return ScanResult(result.document, kept, result.versions)


def cmd_scan(args: argparse.Namespace) -> int:
    """Scan files/folders and write the report in the chosen format (see DESIGN §2 CLI)."""
    from scanner.engine import ScanEngine
    from scanner.report import FORMATS, render
    from scanner.report.output import check_destination, folder_mode, folder_targets, write_bytes
    from scanner.report.text import render_text

    paths = list(iter_paths(args.paths))
    if not paths:
        _err("没有找到可扫描的文件 / no documents found")
        return EXIT_ERROR
    check_destination(args.format, args.output, len(paths))
    annotates = FORMATS[args.format].annotates
    engine = ScanEngine()
    results: list[ScanResult] = []
    sources: dict[str, bytes] = {}
    failed = False
    for path in paths:
        if not path.exists():
            _err(f"文件不存在 / file not found: {path}")
            failed = True
            continue
        try:
            if annotates:
                data = path.read_bytes()
                result = engine.scan_bytes(data, path.name)
                sources[result.document.sha256] = data
            else:
                result = engine.scan_file(path)
            results.append(_filter(result, args.min_severity))
        except ScanError as exc:
            _err(f"{path}: {exc.message}")
            failed = True
        except OSError as exc:
            _err(f"无法读取文件 / cannot read file: {path} ({exc.strerror})")
            failed = True
    if annotates:
        to_folder = folder_mode(args.format, args.output, len(paths))
        names = [r.document.name for r in results]
        targets = folder_targets(args.output, names, args.format) if to_folder else []
        for n, r in enumerate(results):
            try:
                body, _, _ = render([r], args.format, sources)
            except ScanError as exc:
                _err(f"{r.document.name}: {exc.message}")
                failed = True
                continue
            write_bytes(body, str(targets[n]) if to_folder else args.output)
    elif args.format == "text" and args.output in (None, "-"):
        colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        for r in results:
            sys.stdout.write(render_text(r, colour=colour))
    else:
        write_bytes(render(results, args.format)[0], args.output)
    if failed:
        return EXIT_ERROR
    return EXIT_FINDINGS if any(r.findings for r in results) else EXIT_CLEAN


def cmd_extract(args: argparse.Namespace) -> int:
    from scanner.engine import ScanEngine
    from scanner.segment import segment

    engine = ScanEngine()
    status = EXIT_CLEAN
    for path in iter_paths(args.paths):
        try:
            doc = engine.read(path)
        except ScanError as exc:
            _err(f"{path}: {exc.message}")
            status = EXIT_ERROR
            continue
        for w in doc.warnings:
            _err(f"{path}: {w.code} page={w.page}: {w.message}")
        for c in segment(doc):
            table = None
            if c.table is not None:
                table = {
                    "index": c.table.index,
                    "row": c.table.row,
                    "cells": [{"col": x.col, "header": x.header} for x in c.table.cells],
                }
            rec = {
                "document": path.name,
                "clause_id": c.id,
                "text": c.text,
                "start": c.start,
                "end": c.end,
                "section": list(c.section),
                "section_kind": c.section_kind,
                "page": c.page,
                "table": table,
            }
            sys.stdout.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return status


def cmd_rules(args: argparse.Namespace) -> int:
    from scanner.rules.listing import rule_listing
    from scanner.rules.loader import default_catalogue

    cat = default_catalogue()
    rows = rule_listing(cat)
    if args.format == "json":
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_CLEAN
    for r in rows:
        sys.stdout.write(f"{r['id']:<34} {r['category']:<28} {r['severity']:<7} {r['title']}\n")
    sys.stdout.write(f"\n{len(rows)} 条规则 / rules, 规则版本 / rules version {cat.version}\n")
    return EXIT_CLEAN


def cmd_eval(args: argparse.Namespace) -> int:
    from scanner.engine import ScanEngine
    from scanner.evaluate import read_examples, score

    examples = read_examples(args.file)
    combined = ScanEngine()
    engines = [("rules-only", ScanEngine(model=False))]
    if combined.classifier is not None:
        engines += [("model-only", ScanEngine(use_rules=False)), ("combined", combined)]
    runs = [score(name, examples, engine.predict_label) for name, engine in engines]
    for s in runs:
        print(
            f"[{s.name}] n={len(examples)} precision={s.precision:.4f} recall={s.recall:.4f} "
            f"F1={s.f1:.4f} category_accuracy={s.category_accuracy:.4f} "
            f"(tp={s.tp} fp={s.fp} fn={s.fn} tn={s.tn})"
        )
    main_run = runs[-1]
    cats = sorted({e.label for e in examples if e.label != "none"}.union(*(s.per_cat for s in runs)))
    header = "".join(f" {s.name:>17}" for s in runs)
    print(f"\nper category, precision / recall:{' ' * 2}{header}    support")
    for cat in cats:
        cells = "".join(f"    {s.category_pr(cat)[0]:5.3f} / {s.category_pr(cat)[1]:5.3f}" for s in runs)
        print(f"  {cat:<30}{cells}    {main_run.category_pr(cat)[2]:5d}")
    if not args.quiet:
        print(f"\nmisclassified ({len(main_run.errors)}):")
        for gold, pred, text in main_run.errors:
            print(f"  gold={gold:<26} pred={pred:<26} {text}")
    return EXIT_CLEAN


def cmd_train(args: argparse.Namespace) -> int:
    from scanner.train import train

    manifest = train(Path(args.corpus), Path(args.out), args.version)
    print(
        json.dumps(
            {k: manifest[k] for k in ("hyperparameters", "thresholds", "metrics", "train_seconds")},
            ensure_ascii=False,
            indent=2,
        )
    )
    return EXIT_CLEAN


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the HTTP API and upload page (uvicorn, embedded defaults, no external service)."""
    import ipaddress

    import uvicorn

    from api import Settings, create_app
    from api.auth import KeyRing

    overrides = {"workers": args.workers} if args.workers else {}
    settings = Settings(**overrides)
    keys = KeyRing.from_settings(settings)
    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not keys.enabled:
        if not loopback and not args.insecure:
            _err(
                f"拒绝在非本机地址 {args.host} 上提供未认证的服务：请设置 TENDERSCAN_API_KEYS 或 "
                "TENDERSCAN_API_KEYS_FILE，或明确加上 --insecure / refusing to serve an unauthenticated API on "
                f"non-loopback address {args.host}: configure API keys or pass --insecure"
            )
            return EXIT_ERROR
        _err(
            "警告：未配置 API 密钥，接口无需认证"
            + ("，仅监听本机地址" if loopback else "，且对外开放（--insecure）")
            + " / WARNING: no API keys configured, the API is unauthenticated"
            + (" and bound to loopback only" if loopback else " and exposed (--insecure)")
        )
    sys.stderr.write(f"tenderscan: http://{args.host}:{args.port}/ （API 文档 /docs）\n")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, access_log=False, log_level="warning")
    return EXIT_CLEAN


class _AuditParser(_Parser):
    """``audit PATH...`` runs an audit; ``audit report ...`` is handed to the report parser."""

    report: argparse.ArgumentParser | None = None

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[no-untyped-def,override]
        if args and args[0] == "report" and self.report is not None:
            return self.report.parse_known_args(args[1:], namespace)
        return super().parse_known_args(args, namespace)


def cmd_audit(args: argparse.Namespace) -> int:
    """Batch audit into a SQLite store, or (``audit report``) a report over the store."""
    if getattr(args, "audit_mode", "run") == "report":
        return _audit_report(args)
    from scanner.audit.runner import AuditOptions, run_audit

    if args.jobs < 1 or args.timeout <= 0:
        _err("参数错误 / usage error: --jobs 至少为 1，--timeout 必须大于 0 / --jobs >= 1 and --timeout > 0")
        return EXIT_ERROR
    if args.scheduler and args.engine != "dask":
        _err("参数错误 / usage error: --scheduler 需配合 --engine dask / --scheduler needs --engine dask")
        return EXIT_ERROR
    if args.engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            _err("需要安装 dask 扩展：pip install 'tenderscan[dask]' / the dask extra is not installed")
            return EXIT_ERROR
    opts = AuditOptions(
        paths=args.paths,
        db=Path(args.db),
        jobs=args.jobs,
        timeout_s=args.timeout,
        rescan_changed=args.rescan_changed,
        engine=args.engine,
        scheduler=args.scheduler,
        show_progress=not args.quiet,
    )
    s = run_audit(opts)
    if s.discovered == 0 and s.failed == 0:
        _err("没有找到可审计的文档 / no documents found")
        return EXIT_ERROR
    sys.stderr.write(
        f"{'审计已中断' if s.interrupted else '审计完成'}：发现 {s.discovered} 份文档，新扫描 {s.scanned}，"
        f"跳过 {s.skipped}（已扫描），重复 {s.duplicates}，失败 {s.failed}，新发现问题 {s.findings} 处；"
        f"用时 {s.seconds:.1f} 秒。数据库 {args.db}（运行编号 {s.run_id}）\n"
        f"{'audit interrupted' if s.interrupted else 'audit complete'}: {s.discovered} documents, {s.scanned} scanned, "
        f"{s.skipped} skipped, {s.duplicates} duplicates, {s.failed} failed, {s.findings} findings\n"
    )
    if s.stale:
        sys.stderr.write(
            f"另有 {s.stale} 份文档的结果来自旧版本引擎，未重新扫描；使用 --rescan-changed 重新扫描 / "
            f"{s.stale} documents were scanned by another engine version; use --rescan-changed\n"
        )
    if s.interrupted:
        sys.stderr.write(
            "已保存完成的结果；重新运行同一命令即可继续 / progress saved; rerun the same command to resume\n"
        )
        return 130
    return EXIT_CLEAN


def _audit_report(args: argparse.Namespace) -> int:
    from scanner.audit.html import render_html
    from scanner.audit.report import Filters, build_report, parse_date_bound, write_csv, write_xlsx

    try:
        parse_date_bound(args.date_from, end=False)
        parse_date_bound(args.date_to, end=True)
    except ValueError as exc:
        _err(f"参数错误 / usage error: 日期格式应为 YYYY、YYYY-MM 或 YYYY-MM-DD / bad date: {exc}")
        return EXIT_ERROR
    if args.format == "xlsx" and not args.output:
        _err("参数错误 / usage error: xlsx 报告需要 -o 输出文件 / --format xlsx needs -o FILE")
        return EXIT_ERROR
    filters = Filters(args.date_from, args.date_to, args.buyer, args.category)
    try:
        data = build_report(args.db, filters)
    except FileNotFoundError:
        _err(f"审计数据库不存在 / audit database not found: {args.db}")
        return EXIT_ERROR
    if args.format == "xlsx":
        write_xlsx(data, args.output)
    else:
        enc = "utf-8-sig" if args.format == "csv" else "utf-8"
        out = open(args.output, "w", encoding=enc, newline="") if args.output else sys.stdout
        try:
            if args.format == "csv":
                write_csv(data, out)
            else:
                out.write(render_html(data))
        finally:
            if out is not sys.stdout:
                out.close()
    if args.output:
        sys.stderr.write(f"报告已写入 / report written: {args.output}\n")
    return EXIT_CLEAN


def _add_audit_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    a = sub.add_parser(
        "audit",
        help="批量审计：扫描文件夹与压缩包并存入数据库 / batch audit into a SQLite store",
        description="批量审计历史招标文件（文件夹、zip 压缩包），结果存入 SQLite，可中断续扫。"
        "生成报告：tenderscan audit report --db audit.sqlite --format html|xlsx|csv",
    )
    a.__class__ = _AuditParser
    a.add_argument("paths", nargs="+", metavar="PATH")
    a.add_argument(
        "--db", default="audit.sqlite", help="审计数据库 / the SQLite store (default audit.sqlite)"
    )
    a.add_argument(
        "--jobs", type=int, default=max(1, min(4, os.cpu_count() or 1)), help="并行进程数 / workers"
    )
    a.add_argument(
        "--timeout", type=float, default=120.0, help="单个文件时间上限（秒）/ per-document time limit"
    )
    a.add_argument(
        "--rescan-changed", action="store_true", help="重新扫描旧版本引擎的结果 / rescan older versions"
    )
    a.add_argument("--engine", choices=["local", "dask"], default="local")
    a.add_argument("--scheduler", help="Dask 调度器地址 tcp://HOST:PORT / dask scheduler address")
    a.add_argument("--quiet", action="store_true", help="不显示进度 / no progress output")
    a.set_defaults(func=cmd_audit, audit_mode="run")

    r = _Parser(prog="tenderscan audit report", description="审计报告 / audit report over the store")
    r.add_argument("--db", default="audit.sqlite")
    r.add_argument("--format", choices=["html", "xlsx", "csv"], default="html")
    r.add_argument("-o", "--output")
    r.add_argument(
        "--from", dest="date_from", metavar="DATE", help="发布日期起 / published from (YYYY[-MM[-DD]])"
    )
    r.add_argument("--to", dest="date_to", metavar="DATE", help="发布日期止 / published until")
    r.add_argument("--buyer", help="采购人名称包含 / buyer name contains")
    r.add_argument("--category", help="问题类别 ID / category id")
    r.set_defaults(func=cmd_audit, audit_mode="report")
    a.report = r


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="tenderscan", description="招标文件公平竞争审查 / tender-document discrimination scanner"
    )
    p.add_argument("--version", action="version", version=f"tenderscan {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    s = sub.add_parser("scan", help="扫描文件或文件夹 / scan files or folders")
    s.add_argument("paths", nargs="+")
    s.add_argument(
        "--format",
        choices=["text", "json", "jsonl", "html", "docx", "pdf", "xlsx", "csv"],
        default="text",
        help="输出格式；docx/pdf 为批注版原文档 / output format; docx/pdf annotate the original",
    )
    s.add_argument(
        "-o",
        "--output",
        help="输出文件（- 为标准输出；多份文档的 docx/pdf 为文件夹）/ output file (- = stdout; a folder for "
        "docx/pdf of several documents)",
    )
    s.add_argument("--min-severity", choices=["low", "medium", "high"], default="low")
    s.set_defaults(func=cmd_scan)

    e = sub.add_parser("extract", help="输出条款（JSON lines）/ clauses as JSON lines")
    e.add_argument("paths", nargs="+")
    e.set_defaults(func=cmd_extract)

    r = sub.add_parser("rules", help="规则目录 / list the rule catalogue")
    r.add_argument("--format", choices=["text", "json"], default="text")
    r.set_defaults(func=cmd_rules)

    v = sub.add_parser("eval", help="在标注条款上评测 / evaluate on labelled clauses")
    v.add_argument("file")
    v.add_argument("--quiet", action="store_true", help="不列出误判条款 / omit the misclassified lines")
    v.set_defaults(func=cmd_eval)

    w = sub.add_parser("serve", help="启动 HTTP API 与上传页面 / start the HTTP API and upload page")
    w.add_argument("--host", default="127.0.0.1")
    w.add_argument("--port", type=int, default=8000)
    w.add_argument("--workers", type=int, default=None, help="扫描进程数 / scan worker processes")
    w.add_argument(
        "--insecure", action="store_true", help="允许无密钥时监听非本机地址 / allow non-loopback without keys"
    )
    w.set_defaults(func=cmd_serve)

    t = sub.add_parser("train", help="训练条款分类模型 / train the clause classifier")
    t.add_argument("--corpus", default="corpus/clauses")
    t.add_argument("--out", default="models/clause_clf")
    t.add_argument("--version", default="1")
    t.set_defaults(func=cmd_train)

    _add_audit_parsers(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ScanError as exc:
        _err(exc.message)
        return EXIT_ERROR
    except KeyboardInterrupt:
        _err("已中断 / interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
