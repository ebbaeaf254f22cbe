"""Compare converters for Word 97-2003 `.doc` files: which one should the project use?

Candidates (Debian packages, called as external commands):
- soffice: `soffice --headless --convert-to docx`, then python-docx with tables read column
  by column (as `indexer.pages.extract.extract_docx` reads a `.docx`); read twice: with plain
  `Paragraph.text`, and with `<w:softHyphen/>` kept as U+00AD (TCVN3's ư);
- antiword: `antiword -m UTF-8.txt FILE`;
- catdoc: `catdoc -d utf-8 FILE`;
- wvText: `wvText FILE OUT` (wv).

Inputs: the three real `.doc` letters in ../shared/real/letters, checked against what an
archivist reads (../shared/real/truth.json), and a fictional letter in TCVN3 (ABC) with
`.VnTime`/`.VnTimeH` fonts that this script writes into a temporary directory (python-docx,
then LibreOffice to "MS Word 97"), in three variants:
- T001: as LibreOffice writes it: ư (TCVN3 0xAD, the soft hyphen) stored as 0x1F, Word's
  "optional hyphen" code;
- T002: T001 with ư stored as the character U+00AD (bytes patched in the text stream);
- T003: T001 without the empty paragraph after the last table (the file ends in a table).
TCVN3 output goes through `indexer.pages.legacy.to_unicode` before it is checked.

    .venv/bin/python bench/compare_word_converters.py [--repeats 3]

Skips (exit 0) when ../shared/real is absent. Results: docs/word-converters.md.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REAL = ROOT.parent / "shared" / "real"
REAL_DOCS = ("R011.doc", "R025.doc", "R038.doc")
TIMEOUT = 180  # seconds, per external command
MEMORY_LIMIT = 2 << 30  # bytes of address space for antiword, catdoc and wv

# --- the TCVN3 letter (fictional; the project's own words) ----------------------------------
# (text, is_heading): headings are set in .VnTimeH, the rest in .VnTime.
Lines = list[tuple[str, bool]]
HEADER_LEFT: Lines = [
    ("UBND TỈNH NAM SƯƠNG", True),
    ("Số: 12/UBND-VX", False),
    ("V/v tăng cường vệ sinh trường học mùa xuân", False),
]
HEADER_RIGHT: Lines = [
    ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
    ("Độc lập - Tự do - Hạnh phúc", False),
    ("Nam Sương, ngày 5 tháng 3 năm 2009", False),
]
BODY: Lines = [
    ("Kính gửi: Sở Giáo dục và Đào tạo; Sở Y tế.", False),
    ("Trước diễn biến của thời tiết nồm ẩm, UBND tỉnh đề nghị các trường thường xuyên lau rửa "
     "lớp học, theo dõi sức khỏe học sinh và người lao động, báo cáo kết quả về Văn phòng "
     "trước ngày 20 tháng 3 năm 2009.", False),
]  # fmt: skip
FOOTER_LEFT: Lines = [("Nơi nhận:", False), ("- Như trên;", False), ("- Lưu: VT, VX.", False)]
FOOTER_RIGHT: Lines = [
    ("TM. ỦY BAN NHÂN DÂN", True),
    ("KT. CHỦ TỊCH", True),
    ("PHÓ CHỦ TỊCH", True),
    ("Trần Văn Bình", False),
]
ALL_LINES = HEADER_LEFT + HEADER_RIGHT + BODY + FOOTER_LEFT + FOOTER_RIGHT
TCVN3_TRUTH = {"number": "12/UBND-VX", "date": "2009-03-05", "signer": "Trần Văn Bình",
               "issuer": "UBND tỉnh Nam Sương"}  # fmt: skip
TCVN3_DOCS = ("T001_tcvn3.doc", "T002_tcvn3_u00ad.doc", "T003_tcvn3_ends_in_table.doc")


def tcvn3_encode(text: str) -> str:
    """Text as a TCVN3 (.VnTime) document stores it: each letter as its 8-bit glyph code.

    TCVN3 has no capital letters with tones; .VnTimeH shows the lowercase codes as
    capitals, so headings are lowered before encoding (as typists did).
    """
    from viparse.normalize.encodings import CHARMAPS

    glyphs = {unicodedata.normalize("NFC", uni): legacy
              for legacy, uni in CHARMAPS["tcvn3"].pairs}  # fmt: skip
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            out.append(char)
        elif char in glyphs:
            out.append(glyphs[char])
        else:
            raise ValueError(f"{char!r} has no TCVN3 code (a capital with a tone?)")
    return "".join(out)


def _fill(owner: Any, lines: Lines, center: bool, reuse_first: bool) -> None:
    """Write (text, is_heading) lines into a table cell or the document, one paragraph each."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for index, (text, heading) in enumerate(lines):
        reuse = reuse_first and index == 0  # a new cell already holds one empty paragraph
        paragraph = owner.paragraphs[0] if reuse else owner.add_paragraph()
        run = paragraph.add_run(tcvn3_encode(text.lower() if heading else text))
        run.font.name = ".VnTimeH" if heading else ".VnTime"
        run.bold = heading
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def soffice_command(profile: Path, target: str, outdir: Path, *files: Path) -> list[str]:
    return ["soffice", "--headless", f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to", target, "--outdir", str(outdir), *map(str, files)]  # fmt: skip


def build_tcvn3_docs(work: Path) -> list[Path]:
    """Write the TCVN3 letter as .docx (python-docx), convert to Word 97 .doc, make variants."""
    import docx

    sources = []
    for name, trailing_paragraph in ((TCVN3_DOCS[0], True), (TCVN3_DOCS[2], False)):
        document = docx.Document()
        header = document.add_table(rows=1, cols=2)
        _fill(header.rows[0].cells[0], HEADER_LEFT, center=True, reuse_first=True)
        _fill(header.rows[0].cells[1], HEADER_RIGHT, center=True, reuse_first=True)
        _fill(document, BODY, center=False, reuse_first=False)
        footer = document.add_table(rows=1, cols=2)
        _fill(footer.rows[0].cells[0], FOOTER_LEFT, center=False, reuse_first=True)
        _fill(footer.rows[0].cells[1], FOOTER_RIGHT, center=True, reuse_first=True)
        if trailing_paragraph:  # Word always ends a document with a paragraph
            document.add_paragraph()
        source = work / "build" / (Path(name).stem + ".docx")
        source.parent.mkdir(exist_ok=True)
        document.save(str(source))
        sources.append(source)
    profile = work / "build-profile"  # not the measured profile: its first run stays cold
    subprocess.run(soffice_command(profile, "doc:MS Word 97", work, *sources),
                   capture_output=True, check=True, timeout=TIMEOUT)  # fmt: skip
    t001, t003 = work / TCVN3_DOCS[0], work / TCVN3_DOCS[2]
    # T002: the same bytes with ư as U+00AD. The text is one UTF-16 piece; patch only the
    # span from the first to the last line of the letter (equal lengths: offsets unchanged).
    data = bytearray(t001.read_bytes())
    first = tcvn3_encode(HEADER_LEFT[0][0].lower()).replace("\xad", "\x1f").encode("utf-16-le")
    last = tcvn3_encode(FOOTER_RIGHT[-1][0]).encode("utf-16-le")
    start, end = data.find(first), data.find(last) + len(last)
    if start < 0 or end < len(last):
        raise SystemExit("T001's text is not a UTF-16 piece as expected; cannot patch T002")
    data[start:end] = bytes(data[start:end]).replace(b"\x1f\x00", b"\xad\x00")
    t002 = work / TCVN3_DOCS[1]
    t002.write_bytes(bytes(data))
    for path in (t001, t002, t003):
        kind = subprocess.run(["file", "-b", str(path)], capture_output=True, text=True).stdout
        if not kind.startswith("Composite Document File V2"):
            raise SystemExit(f"{path.name} is not an OLE2 .doc: {kind.strip()}")
        print(f"built {path.name}: {path.stat().st_size} bytes, `file`: {kind[:44]}")
    return [t001, t002, t003]


# --- converters -----------------------------------------------------------------------------


def read_docx_columns(path: Path, soft_hyphens: bool) -> str:
    """Paragraphs and tables in document order; a table is read column by column.

    `Paragraph.text` drops `<w:softHyphen/>`, which is how LibreOffice writes a .doc's
    optional hyphen (0x1F) or U+00AD, i.e. TCVN3's ư: with `soft_hyphens` each becomes U+00AD.
    """
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))
    if soft_hyphens:
        for element in list(document.element.body.iter(qn("w:softHyphen"))):
            text = OxmlElement("w:t")
            text.text = "\xad"
            element.getparent().replace(element, text)
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for column in range(len(block.columns)):
                for row in block.rows:
                    if column < len(row.cells):
                        lines.extend(p.text for p in row.cells[column].paragraphs)
            lines.append("")
    return "\n".join(lines)


def run_soffice(doc: Path, work: Path) -> str:
    outdir = work / "soffice-out"  # soffice exits 0 even when it writes nothing
    subprocess.run(soffice_command(work / "lo-profile", "docx", outdir, doc),
                   capture_output=True, check=True, timeout=TIMEOUT)  # fmt: skip
    return read_docx_columns(outdir / (doc.stem + ".docx"), soft_hyphens=True)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _stdout(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, check=True, timeout=TIMEOUT,
                            preexec_fn=_limit_memory)  # fmt: skip
    return result.stdout.decode("utf-8", "replace")


def run_antiword(doc: Path, work: Path) -> str:
    return _stdout(["antiword", "-m", "UTF-8.txt", str(doc)])


def run_catdoc(doc: Path, work: Path) -> str:
    return _stdout(["catdoc", "-d", "utf-8", str(doc)])


def run_wvtext(doc: Path, work: Path) -> str:
    out = work / "wv-out.txt"
    out.unlink(missing_ok=True)
    # Without elinks/links/lynx, wvText falls back to `wvWare -x wvText.xml` (says so on
    # stderr) and keeps Word's control characters: 0x07 cell ends, 0x0D, 0x0B.
    _stdout(["wvText", str(doc), str(out)])
    return out.read_text("utf-8", "replace")


SOFFICE = "soffice+python-docx"
SOFFICE_PLAIN = "soffice+python-docx, Paragraph.text"
CONVERTERS: dict[str, Callable[[Path, Path], str]] = {
    SOFFICE: run_soffice,
    "antiword": run_antiword,
    "catdoc": run_catdoc,
    "wvText": run_wvtext,
}

# --- checks ---------------------------------------------------------------------------------


def squash(text: str) -> str:
    """NFC, case-folded, without white space or table borders: for 'is it in there'."""
    return re.sub(r"[\s|\x07\x0b]+", "", unicodedata.normalize("NFC", text)).casefold()


def segments(text: str) -> list[str]:
    """Non-empty pieces of text between line breaks, tabs, cell marks and table borders."""
    pieces = re.split(r"[\n\r\t\x07\x0b|]+", unicodedata.normalize("NFC", text))
    return [p.strip() for p in pieces if p.strip()]


_NUMBER_LINE = re.compile(r"^số\s*:", re.IGNORECASE)
_MOTTO = re.compile(r"cộng (hòa|hoà) xã hội|đảng cộng sản", re.IGNORECASE)
_DATE_LINE = re.compile(r"ngày[\s\d]*tháng", re.IGNORECASE)


def header_order(text: str) -> str:
    """'kept' when the header's left column (first line, number line) and its right column
    (motto, place and date) each come out together; 'interleaved' when they alternate;
    'lost: …' when a line is missing from the first 20 pieces of text."""
    head = segments(text)[:20]

    def first(pattern: re.Pattern[str]) -> int | None:
        return next((i for i, piece in enumerate(head) if pattern.search(piece)), None)

    motto, date, number = first(_MOTTO), first(_DATE_LINE), first(_NUMBER_LINE)
    top = next((i for i, piece in enumerate(head) if not _MOTTO.search(piece)), None)
    if top is None or number is None or motto is None or date is None:
        found = {"first line": top, "number line": number, "motto": motto, "date line": date}
        return "lost: " + ", ".join(name for name, index in found.items() if index is None)
    left, right = (top, number), (motto, date)
    return "kept" if max(left) < min(right) or max(right) < min(left) else "interleaved"


def _words(text: str) -> set[str]:
    text = unicodedata.normalize("NFC", text).casefold().replace("uỷ", "ủy")
    return set(re.findall(r"\w+", text.replace("ủy ban nhân dân", "ubnd")))


def key_strings(text: str, truth: dict[str, Any]) -> str:
    """Which of number, date, signer and issuer (all its words) are in the text."""
    flat = squash(text)
    checks: dict[str, bool] = {}
    if truth.get("number"):
        checks["number"] = squash(truth["number"]) in flat
    if truth.get("date"):
        year, month, day = (int(part) for part in truth["date"].split("-"))
        checks["date"] = bool(re.search(rf"ngày0?{day}tháng0?{month}năm{year}", flat))
    if truth.get("signer"):
        checks["signer"] = squash(truth["signer"]) in flat
    if truth.get("issuer"):
        checks["issuer"] = _words(truth["issuer"].split(",")[0]) <= _words(text)
    missed = [name for name, ok in checks.items() if not ok]
    return f"{len(checks) - len(missed)}/{len(checks)}" + (
        f" (no {', '.join(missed)})" if missed else ""
    )


def paragraphs_found(text: str, reference: list[str]) -> str:
    """Reference paragraphs (non-empty) whose text appears in `text`, layout ignored."""
    flat = squash(text)
    paragraphs = [squash(p) for p in reference if squash(p)]
    return f"{sum(p in flat for p in paragraphs)}/{len(paragraphs)}"


# --- the run --------------------------------------------------------------------------------


@dataclass
class Result:
    converter: str
    file: str
    error: str = ""
    seconds: list[float] = field(default_factory=list)
    text: str = ""

    @property
    def reads(self) -> bool:
        return not self.error and len(squash(self.text)) > 50


def measure(name: str, doc: Path, work: Path, repeats: int) -> Result:
    result = Result(name, doc.name)
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            result.text = CONVERTERS[name](doc, work)
        except (subprocess.SubprocessError, OSError) as error:
            code = getattr(error, "returncode", None)
            result.error = f"fails ({type(error).__name__}, exit {code})"
            return result
        result.seconds.append(time.perf_counter() - start)
    return result


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=TIMEOUT)
    return time.perf_counter() - start


def package_version(package: str) -> str:
    result = subprocess.run(["dpkg-query", "-W", "-f", "${Version} ${Installed-Size}", package],
                            capture_output=True, text=True)  # fmt: skip
    if result.returncode:
        return "not installed"
    version, size = result.stdout.split()
    return f"{version}, {int(size) / 1024:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="conversions per file (median)")
    args = parser.parse_args()
    if not (REAL / "truth.json").exists():
        print(f"skipped: {REAL} is absent (the real .doc letters and truth.json live there)")
        return 0
    tools = ("soffice", "antiword", "catdoc", "wvText", "file")
    if missing := [tool for tool in tools if not shutil.which(tool)]:
        print(f"skipped: commands not installed: {', '.join(missing)}")
        return 0
    from indexer.pages.legacy import to_unicode

    truth: dict[str, dict[str, Any]] = json.loads((REAL / "truth.json").read_text("utf-8"))
    truth.update({name: TCVN3_TRUTH for name in TCVN3_DOCS})
    for package in ("libreoffice-writer-nogui", "antiword", "catdoc", "wv"):
        print(f"{package}: {package_version(package)}")

    with tempfile.TemporaryDirectory(prefix="wordcmp-") as tmp:
        work = Path(tmp)
        docs = [REAL / "letters" / name for name in REAL_DOCS] + build_tcvn3_docs(work)
        # soffice, cold: a new user profile for each call (what viparse's engine does).
        cold = [timed(soffice_command(work / f"cold-{i}", "docx", work / "cold", docs[0]))
                for i in range(args.repeats)]  # fmt: skip
        results = [measure(name, doc, work, args.repeats) for name in CONVERTERS for doc in docs]
        # The same conversions read with plain Paragraph.text (the soffice time is shared).
        for result in [r for r in results if r.converter == SOFFICE]:
            docx_path = work / "soffice-out" / (Path(result.file).stem + ".docx")
            text = read_docx_columns(docx_path, soft_hyphens=False)
            results.append(Result(SOFFICE_PLAIN, result.file, result.error, result.seconds, text))
        batch = timed(soffice_command(work / "lo-profile", "docx", work / "batch", *docs))

    print(
        f"\nsoffice, new profile each call: {statistics.median(cold):.2f} s (median of "
        f"{len(cold)}); one soffice call for all {len(docs)} files (warm profile): "
        f"{batch:.2f} s, {batch / len(docs):.2f} s/file, without python-docx"
    )
    references = {r.file: r.text.split("\n") for r in results if r.converter == SOFFICE}
    docs_order = [doc.name for doc in docs]
    print(
        "\n| converter | file | reads | s/file | key strings | header columns "
        "| paragraphs found* | TCVN3: detected, ư, .VnTimeH headings |"
    )
    print("|---|---|---|---|---|---|---|---|")
    expected_u = sum(text.count("ư") + text.count("Ư") for text, _ in ALL_LINES)
    order = [SOFFICE, SOFFICE_PLAIN, *list(CONVERTERS)[1:]]
    for r in sorted(results, key=lambda r: (docs_order.index(r.file), order.index(r.converter))):
        if not r.reads:
            print(f"| {r.converter} | {r.file} | no: {r.error or 'empty'} | | | | | |")
            continue
        seconds = f"{statistics.median(r.seconds):.3f}"
        if r.file in TCVN3_DOCS:
            text, legacy = to_unicode(r.text)
            flat = squash(text)
            headings = sum(squash(t) in flat for t, heading in ALL_LINES if heading)
            count_u = unicodedata.normalize("NFC", text).casefold().count("ư")
            tcvn3 = (f"{legacy}; ư {count_u}/{expected_u}; "
                     f"{headings}/{sum(h for _, h in ALL_LINES)}")  # fmt: skip
            reference = [line for line, _ in ALL_LINES]
        else:
            text, tcvn3, reference = r.text, "", references[r.file]
        print(
            f"| {r.converter} | {r.file} | yes | {seconds} | {key_strings(text, truth[r.file])} "
            f"| {header_order(text)} | {paragraphs_found(text, reference)} | {tcvn3} |"
        )
    print(
        "\n* real letters: paragraphs of the soffice+python-docx text; TCVN3 letters: the "
        "letter's lines (case-folded); white space, line wrapping and table borders ignored"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
