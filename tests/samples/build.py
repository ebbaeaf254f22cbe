"""Build the sample archive's files from the project's own letters (tests/samples/letters).

Each letter is written in the format `FORMATS` gives it, so the sample archive exercises
every supported input: UTF-8, UTF-8 with BOM, UTF-16, Windows-1258 and NFD text, Word with
the two-column header table, a PDF with a text layer, and scans (image-only PDF, PNG).

    python tests/samples/build.py OUTPUT_DIR
"""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
if __name__ == "__main__":  # run as a script (`./dev run`): make the project importable
    sys.path.insert(0, str(HERE.parent.parent))

from tests.samples import scans  # noqa: E402
from tests.samples.scans import FONT, FONT_BOLD  # noqa: E402  (the sample files' fonts)

LETTERS = HERE / "letters"

FORMATS = {
    "01_tinh_uy_nghe_an_cv": ["txt-utf8"],
    "02_huyen_uy_nghi_loc_tb": ["docx"],
    "03_ubnd_quang_nam_cv": ["pdf"],
    "04_ubnd_lang_son_qd": ["docx"],
    "05_bcd_thai_nguyen_cd": ["txt-utf16"],
    "06_khong_tieu_de": ["txt-cp1258"],
    "07_tinh_uy_lang_son_ct_cu": ["txt-utf8-bom"],
    "08_ubnd_vo_nhai_kh": ["txt-nfd"],
    "09_ban_scan": ["pdf-image", "png"],
    "10_tinh_uy_cao_bang_tcvn3": ["docx-tcvn3"],
    "11_ubnd_ha_giang_vni": ["txt-vni"],
}

_RIGHT_COLUMN = re.compile(
    r"^(ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập - Tự do - Hạnh phúc|"
    r"[^,]{2,40}, ngày .*)$"
)


def split_letter(text: str) -> tuple[list[str], list[str], list[str]]:
    """(left header column, right header column, body lines): the header is the first block."""
    header, _, body = text.partition("\n\n")
    left, right = [], []
    for line in header.splitlines():
        (right if _RIGHT_COLUMN.match(line) else left).append(line)
    return left, right, body.splitlines()


def to_cp1258(text: str) -> bytes:
    """Windows-1258 keeps â, ê, ô, ơ, ư, ă, đ precomposed and writes tones as combining marks."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        tones = [m for m in marks if m in "\u0300\u0301\u0303\u0309\u0323"]
        shape = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in tones))
        out += shape.encode("cp1258") + "".join(tones).encode("cp1258")
    return bytes(out)


def to_legacy(text: str, encoding: str) -> str:
    """Text as a legacy-font document extracts: each Vietnamese letter as its 8-bit glyph.

    TCVN3 has no capital letters with tones: headings set in .VnTimeH use the lowercase
    codes and extract as lowercase, so uppercase lines are lowered first.
    """
    from viparse.normalize.encodings import CHARMAPS

    glyphs: dict[str, str] = {}
    for legacy, unicode_text in CHARMAPS[encoding].pairs:
        glyphs.setdefault(unicodedata.normalize("NFC", unicode_text), legacy)
    if encoding == "tcvn3":
        text = "\n".join(line.lower() if line.isupper() else line for line in text.split("\n"))
    out, longest = [], sorted(glyphs, key=len, reverse=True)
    position, text = 0, unicodedata.normalize("NFC", text)
    while position < len(text):
        match = next((u for u in longest if text.startswith(u, position)), text[position])
        out.append(glyphs.get(match, match))
        position += len(match)
    return "".join(out)


def write_txt(text: str, target: Path, variant: str) -> Path:
    """The letter as a text file in the encoding or form `variant` names."""
    path = target.with_suffix(".txt")
    encoders = {
        "txt-utf8": lambda t: t.encode("utf-8"),
        "txt-utf8-bom": lambda t: t.encode("utf-8-sig"),
        "txt-utf16": lambda t: t.encode("utf-16"),
        "txt-cp1258": to_cp1258,
        "txt-nfd": lambda t: unicodedata.normalize("NFD", t).encode("utf-8"),
        "txt-tcvn3": lambda t: to_legacy(t, "tcvn3").encode("latin-1"),
        "txt-vni": lambda t: to_legacy(t, "vni").encode("latin-1"),
    }
    path.write_bytes(encoders[variant](text))
    return path


def libreoffice_convert(source: Path, target: str, folder: Path) -> Path:
    """`source` converted by LibreOffice to the format `target` names ("doc:MS Word 97",
    "rtf", "odt") in `folder`, with a profile of its own there."""
    import subprocess

    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation={(folder / 'lo').as_uri()}",
         "--convert-to", target, "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / f"{source.stem}.{target.split(':')[0]}"


def write_docx(text: str, target: Path) -> Path:
    """The letter as Word, its header in the two-column table letters use."""
    import docx

    left, right, body = split_letter(text)
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (left, right), strict=True):
        cell.paragraphs[0].text = lines[0] if lines else ""
        for line in lines[1:]:
            cell.add_paragraph(line)
    for line in body:
        document.add_paragraph(line)
    path = target.with_suffix(".docx")
    document.save(str(path))
    return path


def _pdf() -> object:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    return pdf


def write_pdf(text: str, target: Path) -> Path:
    """A digital PDF: the header in two columns, the body wrapped at the page width."""
    from fpdf import FPDF

    pdf = _pdf()
    assert isinstance(pdf, FPDF)
    left, right, body = split_letter(text)
    for x, lines in ((15, left), (105, right)):
        pdf.set_xy(x, 15)
        for line in lines:
            pdf.set_font("DejaVu", "B" if line.isupper() else "", 10)
            pdf.set_x(x)
            pdf.cell(90, 6, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(20, 70)
    pdf.set_font("DejaVu", "", 11)
    for line in body:
        pdf.set_x(20)
        pdf.multi_cell(170, 6, line or " ", new_x="LEFT", new_y="NEXT")
    path = target.with_suffix(".pdf")
    pdf.output(str(path))
    return path


def write_scan(text: str, target: Path, variant: str) -> Path:
    """A degraded 300-dpi scan (tests/samples/scans.py), as an image-only PDF or a PNG."""
    return scans.write_scan(text, target, as_pdf=variant == "pdf-image")


def build(output: Path) -> list[Path]:
    """Every sample file of `FORMATS` written into `output`; their paths."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, variants in FORMATS.items():
        text = (LETTERS / f"{stem}.txt").read_text(encoding="utf-8")
        for variant in variants:
            target = output / (stem if len(variants) == 1 else f"{stem}_{variant}")
            if variant.startswith("txt"):
                written.append(write_txt(text, target, variant))
            elif variant == "docx":
                written.append(write_docx(text, target))
            elif variant == "docx-tcvn3":
                written.append(write_docx(to_legacy(text, "tcvn3"), target))
            elif variant == "pdf":
                written.append(write_pdf(text, target))
            else:
                written.append(write_scan(text, target, variant))
    return written


if __name__ == "__main__":
    for written_path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "samples")):
        print(written_path)
