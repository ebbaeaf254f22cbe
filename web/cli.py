"""The `congvan` command line: each command calls its layer and prints what it did, in
Vietnamese (the arguments are `cli_parser.build_parser`'s)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from archive.backup import BackupError, backup, restore, snapshot_named
from archive.catalog import Catalog
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.followup.check import check_archive
from indexer.followup.corrections import CorrectionError, correct_many
from indexer.followup.evaluation import evaluate
from indexer.followup.steps import FollowedUp, follow_up_waiting, rebuild_index
from indexer.intake.pipeline import (
    ARCHIVED,
    DISK_FULL,
    DUPLICATE,
    FAILED,
    NEEDS_OCR,
    NOT_READ,
    WRITE_FAILED,
    cannot_write,
    ingest_files,
    iter_files,
)
from indexer.intake.scans import tesseract_ready
from indexer.language.letter import LABELS, LISTS
from indexer.search import EngineError
from indexer.search.factory import open_engine
from indexer.search.indexing import apply_pending, reindex
from web.auth import UserExists, add_user, change_password
from web.cli_parser import build_parser
from web.data import review_data, search_data
from web.labels import CHECK_LABELS, ZONE, vietnam_time
from web.params import ParamError, parse_search_params


class Progress:
    """A one-line progress bar with count and ETA, drawn on stderr when it is a terminal."""

    def __init__(self, total: int, unit: str = "tệp") -> None:
        self.total, self.done, self.started, self.unit = total, 0, time.monotonic(), unit
        self.enabled = sys.stderr.isatty() and total > 1

    def step(self) -> None:
        """One more done: the bar redrawn."""
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done)
        filled = int(30 * self.done / self.total)
        bar = "#" * filled + "-" * (30 - filled)
        sys.stderr.write(
            f"\r[{bar}] {self.done}/{self.total} {self.unit} · còn khoảng {eta:4.0f} giây "
        )
        sys.stderr.flush()

    def clear(self) -> None:
        """The bar wiped off its line."""
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()

    def line(self, text: str) -> None:
        """A line of output printed above the bar."""
        self.clear()
        print(text, flush=True)

    def item(self, text: str) -> None:
        """The line of one item done, then the bar one step on."""
        self.line(text)
        self.step()


def _follow_up(catalog: Catalog, settings: Settings) -> FollowedUp:
    """What follows archiving (indexer/followup/steps.py), with a page progress bar for
    OCR, and what it did."""
    progress = Progress(catalog.ocr_pages_waiting(), unit="trang")
    done = follow_up_waiting(
        catalog, settings, on_page=lambda page: progress.step(),
        on_document=lambda outcome: progress.line(outcome.line()),
    )  # fmt: skip
    progress.clear()
    if done.ocr_missing:
        print("Chưa cài Tesseract với tiếng Việt (tesseract-ocr, tesseract-ocr-vie): các bản "
              "quét đã lưu trữ, chạy `congvan ocr --pending` sau khi cài.")  # fmt: skip
    if done.index_problem is None:
        print(f"Chỉ mục đã cập nhật ({done.indexed} văn bản).")
    else:
        print(
            f"Chưa cập nhật được chỉ mục ({done.index_problem}): {catalog.pending_count()} văn "
            "bản chờ trong danh mục, không mất gì; máy chủ đang chạy hoặc "
            "`congvan reindex --pending` sẽ cập nhật."
        )
    return done


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    """Files and folders archived, one line each, then what follows archiving."""
    files = list(iter_files(Path(p) for p in args.paths))
    progress = Progress(len(files))
    with Catalog(settings.catalog_path) as catalog:
        store = OriginalStore(settings.originals_dir)
        private = settings.private_files()  # the session key and the catalog, by inode
        counts = ingest_files(
            catalog, store, files, lambda outcome: progress.item(outcome.line()), private
        )
        progress.clear()
        print(
            f"Tổng cộng {len(files)} tệp: {counts[ARCHIVED]} đã lưu trữ, "
            f"{counts[NEEDS_OCR]} cần OCR, {counts[DUPLICATE]} đã có trong kho, "
            f"{counts[FAILED]} lỗi."
        )
        if counts[NOT_READ]:  # the disk is full: nothing more can be written
            print(
                f"Dừng lại: {DISK_FULL}; {counts[NOT_READ]} tệp chưa đọc. Giải phóng chỗ trống"
                " rồi chạy lại lệnh (các tệp đã lưu trữ không nhận lại). Chỉ mục chưa cập"
                " nhật: việc chờ nằm trong danh mục."
            )
            return 1
        done = _follow_up(catalog, settings)
    return 1 if counts[FAILED] or done.ocr_failed else 0


def cmd_ocr(args: argparse.Namespace, settings: Settings) -> int:
    """The scans waiting for OCR recognised (resumable), then the rest of the follow-up."""
    with Catalog(settings.catalog_path) as catalog:
        if not tesseract_ready():
            print("lỗi: chưa cài tesseract với tiếng Việt (apt-get install tesseract-ocr "
                  "tesseract-ocr-vie)", file=sys.stderr)  # fmt: skip
            return 2
        done = _follow_up(catalog, settings)
    return 1 if done.ocr_failed else 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """The web pages and the API, with the index and OCR workers (`web.serving`)."""
    from web.serving import serve, serve_helper

    if args.listening_fd is not None:
        serve_helper(settings, args.listening_fd, args.wake_fd, args.helper_of, args.threads)
    else:
        serve(settings, args.host, args.port, args.threads, args.processes)
    return 0


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    """The index rebuilt from the catalog, or only its pending work applied."""
    engine = open_engine(settings)
    with Catalog(settings.catalog_path) as catalog:
        if args.pending:
            applied = apply_pending(catalog, engine)
            print(f"Đã áp dụng {applied} cập nhật chỉ mục đang chờ.")
        else:
            count = rebuild_index(catalog, engine)
            print(f"Đã dựng lại chỉ mục từ danh mục: {count} văn bản.")
    return 0


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """`congvan search`: the search page's data (its suggestion included), as lines or JSON."""
    params = {"q": args.query, "per_page": str(args.limit)}
    try:
        request = parse_search_params(params)
    except ParamError as error:
        print(f"lỗi: {error}", file=sys.stderr)
        return 2
    with Catalog(settings.catalog_path) as catalog:
        data = search_data(open_engine(settings), lambda: catalog, request)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{data['total']} văn bản")
    if data["left_out"]:
        print(f"Không tìm thấy: {', '.join(data['left_out'])} (kết quả chứa những từ còn lại)")
    if data["suggestion"]:
        print(f"Có phải bạn muốn tìm: {data['suggestion']}")
    for hit in data["hits"]:
        when = (
            hit["date"]
            or (f"tháng {hit['date_month']}" if hit["date_month"] else None)
            or (f"sau {hit['date_not_before']}" if hit["date_not_before"] else "?")
        )
        issuer = hit["issuer"] or hit["issuer_body"] or ""
        title = hit["subject"] or hit["filename"]
        print(f"#{hit['id']:<6} {hit['number'] or '(không số)':<22} {when:<16} {issuer} — {title}")
    return 0


def cmd_review(args: argparse.Namespace, settings: Settings) -> int:
    """`congvan review`: the review desk's data, as lines or JSON."""
    with Catalog(settings.catalog_path) as catalog:
        data = review_data(catalog, args.after, args.limit)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    counts = ", ".join(f"{LABELS.get(f, f)}: {n}" for f, n in data["counts"].items())
    print(f"Cần xem lại — {counts or 'không còn trường nào'}")
    for letter in data["letters"]:
        print(f"#{letter['id']:<6} {letter['filename']}")
        for field in letter["review_fields"]:  # a handwritten field's note holds its readings
            print(f"        {field['label']}: {field['note']}")
    return 0


def cmd_eval_metadata(args: argparse.Namespace, settings: Settings) -> int:
    """Per-field accuracy of the metadata read from a folder against expected values."""
    expected = json.loads(Path(args.expected).read_text(encoding="utf-8"))
    report = evaluate(Path(args.folder), expected)
    for line in report.lines():
        print(line)
    return 0 if report.perfect else 1


def _read_password(from_stdin: bool) -> str:
    """A password from stdin, or asked twice on the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mật khẩu: ")
    if getpass.getpass("Nhập lại mật khẩu: ") != first:
        raise ValueError("hai lần nhập mật khẩu không khớp")
    return first


def cmd_correct(args: argparse.Namespace, settings: Settings) -> int:
    """The same corrections over a batch of letters, then the index follows."""
    fields: dict[str, object] = {}
    for assignment in args.set:
        name, equals, value = assignment.partition("=")
        if not equals:
            print(f"--set cần dạng trường=giá_trị, nhận được {assignment!r}", file=sys.stderr)
            return 2
        fields[name.strip()] = value.split(";") if name.strip() in LISTS else value
    with Catalog(settings.catalog_path) as catalog:
        try:
            changed = correct_many(catalog, args.ids, args.author, fields)
        except CorrectionError as error:
            print(f"không sửa được: {error}", file=sys.stderr)
            return 1
        for document_id, names in changed.items():
            labels = ", ".join(LABELS[name] for name in names) or "không có gì thay đổi"
            print(f"văn bản #{document_id}: {labels}")
        _follow_up(catalog, settings)
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """A snapshot of the catalog and the originals (with a manifest of hashes) in DIR."""
    with Catalog(settings.catalog_path) as catalog:
        try:
            done = backup(catalog, OriginalStore(settings.originals_dir), Path(args.folder))
        except (BackupError, OSError) as error:
            print(f"không sao lưu được: {error}", file=sys.stderr)
            return 1
    print(f"Đã sao lưu {done.letters} văn bản, {done.originals} bản gốc "
          f"({done.copied} mới chép) vào {done.folder}.")  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    """A snapshot back into an empty data folder, originals checked, index rebuilt."""
    folder = Path(args.folder)
    try:
        done = restore(folder, snapshot_named(folder, args.snapshot), settings.data_dir)
    except (BackupError, OSError, KeyError, ValueError) as error:
        print(f"không khôi phục được: {error}", file=sys.stderr)
        return 1
    with Catalog(settings.catalog_path) as catalog:
        count = reindex(catalog, open_engine(settings))
    print(f"Đã khôi phục {done.letters} văn bản, {done.originals} bản gốc (đã kiểm mã băm) "
          f"từ {done.folder.name}; chỉ mục dựng lại: {count} văn bản.")  # fmt: skip
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Fixity and consistency: every original hashed again, catalog, store and index
    compared; exit 1 on any finding (see indexer/followup/check.py)."""
    with Catalog(settings.catalog_path) as catalog:
        progress = Progress(len(catalog.document_ids()), unit="bản gốc")
        store, engine = OriginalStore(settings.originals_dir), open_engine(settings)
        report = check_archive(catalog, store, engine, progress.step, repair=args.repair)
        progress.clear()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        print(f"Đã kiểm tra {report.originals_checked} bản gốc; danh mục {report.letters} văn "
              f"bản, chỉ mục {report.indexed}.")  # fmt: skip
        for finding in report.findings:
            print(f"{CHECK_LABELS[finding.kind]}: {finding.item}: {finding.detail}")
        for done in report.repaired:
            print(f"sửa: {done}")
        print("Không có vấn đề nào." if report.clean else f"{len(report.findings)} vấn đề.")
    return 0 if report.clean else 1


def cmd_user(args: argparse.Namespace, settings: Settings) -> int:
    """Staff accounts: an administrator creates them here (passwords are stored hashed)."""
    with Catalog(settings.catalog_path) as catalog:
        if args.action == "list":
            for user in catalog.list_users():
                role = "quản trị" if user["is_admin"] else "cán bộ"
                created = vietnam_time(user["created_at"])
                print(f"{user['username']}\t{role}\ttạo lúc {created} ({ZONE})")
            return 0
        if not args.name:
            print("lỗi: cần tên đăng nhập", file=sys.stderr)
            return 2
        try:
            password = _read_password(args.password_stdin)
            if args.action == "add":
                add_user(catalog, args.name, password, args.admin)
                print(f"Đã tạo tài khoản {args.name}.")
            elif not change_password(catalog, args.name, password):
                print(f"lỗi: không có tài khoản {args.name}", file=sys.stderr)
                return 1
            else:
                print(f"Đã đổi mật khẩu của {args.name}.")
        except ValueError as error:
            print(f"lỗi: {error}", file=sys.stderr)
            return 2
        except UserExists:
            print(f"lỗi: đã có tài khoản {args.name}", file=sys.stderr)
            return 1
    return 0


def warn_if_new(settings: Settings) -> None:
    """Say so (on stderr) when the command is about to make a new, empty archive: a
    mistyped or forgotten `--data` would otherwise answer from an empty one in silence."""
    if settings.catalog_path.exists():
        return
    print(
        f"Chú ý: {settings.data_dir} chưa có kho dữ liệu nên một kho mới, trống được tạo ở "
        "đó. Để dùng kho có sẵn, thêm --data THƯ_MỤC (kho mẫu của `./dev run`: "
        "--data sample-data) hoặc đặt biến CONGVAN_DATA.",
        file=sys.stderr,
    )


# Each command's handler, by the name `build_parser` gives it.
COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "ingest": cmd_ingest,
    "serve": cmd_serve,
    "reindex": cmd_reindex,
    "search": cmd_search,
    "ocr": cmd_ocr,
    "user": cmd_user,
    "check": cmd_check,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "correct": cmd_correct,
    "review": cmd_review,
    "eval-metadata": cmd_eval_metadata,
}


def main(argv: list[str] | None = None) -> int:
    """Run one `congvan` command; its exit code (3: the search engine failed)."""
    args = build_parser().parse_args(argv)
    settings = Settings.from_env(args.data)
    if getattr(args, "uses_data", True):
        warn_if_new(settings)
    try:
        result = COMMANDS[args.command](args, settings)
    except EngineError as error:  # e.g. Meilisearch down during `search` or `reindex`
        print(f"lỗi máy tìm kiếm: {error}", file=sys.stderr)
        return 3
    except Exception as error:
        if not cannot_write(error):
            raise
        print(f"lỗi: {WRITE_FAILED.format(folder=settings.data_dir)} ({error})", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
