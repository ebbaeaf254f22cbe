"""The `congvan` command line: ingest, serve, reindex, search."""

from __future__ import annotations

import argparse
import getpass
import json
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

from archive.backup import BackupError, backup, latest_snapshot, restore
from archive.catalog import Catalog
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.followup.check import check_archive
from indexer.followup.corrections import CorrectionError, correct_many
from indexer.followup.evaluation import evaluate
from indexer.followup.steps import FollowedUp, follow_up, relate_changed
from indexer.intake.pipeline import ARCHIVED, DUPLICATE, FAILED, NEEDS_OCR, ingest_path, iter_files
from indexer.intake.scans import tesseract_ready
from indexer.language.fields import EDITABLE, LABELS, LISTS
from indexer.search import EngineError, IndexBusy
from indexer.search.factory import open_engine
from indexer.search.indexing import apply_pending, reindex, try_apply_pending
from web.auth import add_user, hash_password
from web.cli_parser import VietnameseParser, whole_number
from web.data import search_data
from web.labels import CHECK_LABELS, ZONE, vietnam_time
from web.params import ParamError, parse_search_params

BUSY_RETRY_SECONDS = 10.0


class Progress:
    """A one-line progress bar with count and ETA, drawn on stderr when it is a terminal."""

    def __init__(self, total: int, unit: str = "tệp") -> None:
        self.total, self.done, self.started, self.unit = total, 0, time.monotonic(), unit
        self.enabled = sys.stderr.isatty() and total > 1

    def step(self) -> None:
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
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()

    def line(self, text: str) -> None:
        self.clear()
        print(text, flush=True)


def _follow_up(catalog: Catalog, settings: Settings) -> FollowedUp:
    """What follows archiving (followup.py), with a page progress bar for OCR; the index
    is tried again for a while when another process holds its writer."""
    engine = open_engine(settings)
    progress = Progress(catalog.ocr_pages_waiting(), unit="trang")
    done = follow_up(
        catalog, OriginalStore(settings.originals_dir), engine, settings.max_pages,
        on_page=lambda page: progress.step(),
        on_document=lambda outcome: progress.line(outcome.line()),
    )  # fmt: skip
    progress.clear()
    if done.ocr_missing:
        print("Chưa cài Tesseract với tiếng Việt (tesseract-ocr, tesseract-ocr-vie): các bản "
              "quét đã lưu trữ, chạy `congvan ocr --pending` sau khi cài.")  # fmt: skip
    deadline = time.monotonic() + BUSY_RETRY_SECONDS
    while isinstance(done.index_problem, IndexBusy) and time.monotonic() < deadline:
        time.sleep(0.5)
        done.indexed, done.index_problem = try_apply_pending(catalog, engine)
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
    files = list(iter_files(Path(p) for p in args.paths))
    store = OriginalStore(settings.originals_dir)
    store.remove_leftovers()  # of a run killed while writing an original
    counts: Counter[str] = Counter()
    progress = Progress(len(files))
    with Catalog(settings.catalog_path) as catalog:
        for path, within in files:
            outcome = ingest_path(catalog, store, path, within)
            counts[outcome.outcome] += 1
            progress.line(outcome.line())
            progress.step()
        progress.clear()
        print(
            f"Tổng cộng {len(files)} tệp: {counts[ARCHIVED]} đã lưu trữ, "
            f"{counts[NEEDS_OCR]} cần OCR, {counts[DUPLICATE]} đã có trong kho, "
            f"{counts[FAILED]} lỗi."
        )
        done = _follow_up(catalog, settings)
    return 1 if counts[FAILED] or done.ocr_failed else 0


def cmd_ocr(args: argparse.Namespace, settings: Settings) -> int:
    with Catalog(settings.catalog_path) as catalog:
        if not tesseract_ready():
            print("lỗi: chưa cài tesseract với tiếng Việt (apt-get install tesseract-ocr "
                  "tesseract-ocr-vie)", file=sys.stderr)  # fmt: skip
            return 2
        done = _follow_up(catalog, settings)
    return 1 if done.ocr_failed else 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import waitress

    from web.app import create_app
    from web.workers import IndexWorker, OcrWorker

    OriginalStore(settings.originals_dir).remove_leftovers()  # of a killed run
    app = create_app(settings)
    due = app.extensions["congvan_due"]
    IndexWorker(settings, app.extensions["congvan_engine"], due=due).start()
    due["ocr"].set()  # scans left waiting by an earlier run
    OcrWorker(settings, due).start()
    print(
        f"Công Văn đang phục vụ tại http://{args.host}:{args.port}/ (dữ liệu: {settings.data_dir})"
    )
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads, ident="congvan")
    return 0


def cmd_reindex(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_engine(settings)
    with Catalog(settings.catalog_path) as catalog:
        if args.pending:
            applied = apply_pending(catalog, engine)
            print(f"Đã áp dụng {applied} cập nhật chỉ mục đang chờ.")
        else:
            relate_changed(catalog)
            count = reindex(catalog, engine)
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
        data = search_data(open_engine(settings), catalog, request)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    print(f"{data['total']} văn bản")
    if data["suggestion"]:
        print(f"Có phải bạn muốn tìm: {data['suggestion']}")
    for hit in data["hits"]:
        when = hit["date"] or (f"sau {hit['date_not_before']}" if hit["date_not_before"] else "?")
        issuer = hit["issuer"] or hit["issuer_body"] or ""
        title = hit["subject"] or hit["filename"]
        print(f"#{hit['id']:<6} {hit['number'] or '(không số)':<22} {when:<16} {issuer} — {title}")
    return 0


def cmd_eval_metadata(args: argparse.Namespace, settings: Settings) -> int:
    expected = json.loads(Path(args.expected).read_text(encoding="utf-8"))
    report = evaluate(Path(args.folder), expected)
    for line in report.lines():
        print(line)
    return 0 if report.perfect else 1


def _read_password(from_stdin: bool) -> str:
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
        snapshot = (
            folder / "snapshots" / args.snapshot if args.snapshot else latest_snapshot(folder)
        )
        done = restore(folder, snapshot, settings.data_dir)
    except (BackupError, OSError, KeyError, ValueError) as error:
        print(f"không khôi phục được: {error}", file=sys.stderr)
        return 1
    with Catalog(settings.catalog_path) as catalog:
        count = reindex(catalog, open_engine(settings))
    print(f"Đã khôi phục {done.letters} văn bản, {done.originals} bản gốc (đã kiểm mã băm) "
          f"từ {snapshot.name}; chỉ mục dựng lại: {count} văn bản.")  # fmt: skip
    return 0


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """Fixity and consistency: every original hashed again, catalog, store and index
    compared; exit 1 on any finding (see indexer/check.py)."""
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
            elif not catalog.set_password(args.name, hash_password(password)):
                print(f"lỗi: không có tài khoản {args.name}", file=sys.stderr)
                return 1
            else:
                print(f"Đã đổi mật khẩu của {args.name}.")
        except ValueError as error:
            print(f"lỗi: {error}", file=sys.stderr)
            return 2
        except sqlite3.IntegrityError:
            print(f"lỗi: đã có tài khoản {args.name}", file=sys.stderr)
            return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = VietnameseParser(prog="congvan", description="Kho và tra cứu công văn.")
    parser.add_argument("--data", metavar="THƯ_MỤC",
                        help="thư mục dữ liệu (mặc định $CONGVAN_DATA, nếu không có thì ./data); "
                             "kho mẫu của `./dev run` ở sample-data")  # fmt: skip
    commands = parser.add_subparsers(
        dest="command", required=True, title="lệnh", metavar="LỆNH",
        help="gõ `congvan LỆNH -h` để xem hướng dẫn của từng lệnh",
    )  # fmt: skip

    ingest = commands.add_parser("ingest", help="lưu trữ và đánh chỉ mục tệp hoặc thư mục")
    ingest.add_argument("paths", nargs="+", metavar="ĐƯỜNG_DẪN", help="tệp hoặc thư mục (đệ quy)")
    ingest.set_defaults(handler=cmd_ingest)

    serve = commands.add_parser("serve", help="chạy giao diện web và API")
    serve.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ",
                       help="địa chỉ lắng nghe (mặc định %(default)s: chỉ máy này)")  # fmt: skip
    serve.add_argument("--port", type=whole_number, default=8000, metavar="CỔNG",
                       help="cổng (mặc định %(default)s)")  # fmt: skip
    serve.add_argument("--threads", type=whole_number, default=8, metavar="SỐ",
                       help="số luồng phục vụ cùng lúc (mặc định %(default)s)")  # fmt: skip
    serve.set_defaults(handler=cmd_serve)

    rebuild = commands.add_parser("reindex", help="dựng lại chỉ mục tìm kiếm từ danh mục")
    rebuild.add_argument("--pending", action="store_true", help="chỉ áp dụng cập nhật đang chờ")
    rebuild.set_defaults(handler=cmd_reindex)

    search = commands.add_parser("search", help="tìm kiếm từ dòng lệnh")
    search.add_argument("query", metavar="TỪ_KHÓA",
                        help="từ khóa (có dấu hoặc không), \"cụm từ\" hoặc số ký hiệu")  # fmt: skip
    search.add_argument("--json", action="store_true", help="in kết quả dạng JSON như API")
    search.add_argument("--limit", type=whole_number, default=20, metavar="SỐ",
                        help="số văn bản in ra nhiều nhất (mặc định %(default)s)")  # fmt: skip
    search.set_defaults(handler=cmd_search)

    ocr = commands.add_parser("ocr", help="nhận dạng chữ các bản quét đang chờ (tiếp tục được)")
    ocr.add_argument("--pending", action="store_true", required=True,
                     help="mọi văn bản đang chờ OCR; trang đã xong không làm lại")  # fmt: skip
    ocr.set_defaults(handler=cmd_ocr)

    user = commands.add_parser("user", help="tài khoản cán bộ (tải lên, sửa siêu dữ liệu)")
    user.add_argument("action", choices=("add", "passwd", "list"), metavar="VIỆC",
                      help="add: tạo tài khoản; passwd: đổi mật khẩu; list: liệt kê")  # fmt: skip
    user.add_argument("name", nargs="?", metavar="TÊN", help="tên đăng nhập (add, passwd)")
    user.add_argument("--admin", action="store_true", help="quản trị viên (add)")
    user.add_argument("--password-stdin", action="store_true",
                      help="đọc mật khẩu từ stdin (cho script) thay vì hỏi")  # fmt: skip
    user.set_defaults(handler=cmd_user)

    check = commands.add_parser(
        "check", help="kiểm tra tính nguyên vẹn của bản gốc và sự khớp của danh mục, kho, chỉ mục"
    )
    check.add_argument("--repair", action="store_true",
                       help="làm lại những gì dựng lại được (chỉ mục, tệp tạm); không bao giờ "
                            "đụng tới bản gốc")  # fmt: skip
    check.add_argument("--json", action="store_true", help="báo cáo dạng JSON")
    check.set_defaults(handler=cmd_check)

    save = commands.add_parser("backup", help="sao lưu danh mục và bản gốc (kèm mã băm) vào DIR")
    save.add_argument("folder", metavar="DIR", help="thư mục sao lưu (nên ở ổ hoặc máy khác)")
    save.set_defaults(handler=cmd_backup)
    back = commands.add_parser("restore", help="khôi phục bản sao lưu vào thư mục dữ liệu trống")
    back.add_argument("folder", metavar="DIR", help="thư mục sao lưu")
    back.add_argument("--snapshot", metavar="TÊN",
                      help="tên bản sao lưu (mặc định: bản mới nhất)")  # fmt: skip
    back.set_defaults(handler=cmd_restore)

    fix = commands.add_parser("correct", help="sửa siêu dữ liệu của một loạt văn bản cùng lúc")
    fix.add_argument("ids", nargs="+", type=whole_number, metavar="SỐ_VĂN_BẢN",
                     help="số văn bản (#) cần sửa")  # fmt: skip
    fix.add_argument("--set", action="append", required=True, metavar="TRƯỜNG=GIÁ_TRỊ",
                     help=f"giá trị mới (để trống để xóa; danh sách ngăn bằng ;); "
                          f"trường: {', '.join(EDITABLE)}")  # fmt: skip
    fix.add_argument("--author", required=True, metavar="TÊN",
                     help="tên người sửa (ghi vào lịch sử)")  # fmt: skip
    fix.set_defaults(handler=cmd_correct)

    evaluation = commands.add_parser(
        "eval-metadata", help="đo độ chính xác siêu dữ liệu theo từng trường"
    )
    evaluation.add_argument("folder", metavar="THƯ_MỤC", help="thư mục văn bản")
    evaluation.add_argument("expected", metavar="TỆP_JSON",
                            help="tệp JSON giá trị mong đợi (theo tên tệp)")  # fmt: skip
    evaluation.set_defaults(handler=cmd_eval_metadata, uses_data=False)
    back.set_defaults(uses_data=False)  # it wants an empty data folder
    return parser


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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings.from_env(args.data)
    if getattr(args, "uses_data", True):
        warn_if_new(settings)
    try:
        result: int = args.handler(args, settings)
    except EngineError as error:  # e.g. Meilisearch down during `search` or `reindex`
        print(f"lỗi máy tìm kiếm: {error}", file=sys.stderr)
        return 3
    return result


if __name__ == "__main__":
    sys.exit(main())
