"""Each of our sample letters in the layouts real letters come in.

A letter read one way must read the same every way it reaches the archive. The variants
follow what the shared real letters show (../shared/real/README.md):

- `table-pdf`: a digital PDF whose header is two columns (issuer, number, V/v on the left;
  motto, place and date on the right) and whose bottom is two blocks ("Nơi nhận" on the
  left, the signature block on the right), as Nghị định 30/2020 Phụ lục I places them;
- `e-signed-pdf`: the same, with the number's digits and the day and month left blank in
  the text layer and stamped into signature-field widgets over the blanks, as e-office
  systems do;
- `table-docx`: a Word file with the header and the bottom in tables;
- `doc`: that Word file as Word 97–2003 (LibreOffice converts it);
- `scan-200dpi`: the two-column page scanned at 200 dpi, slightly rotated, with a red seal
  over the signature block and "HỎA TỐC" and incoming ("ĐẾN Số … Ngày …") stamps;
- `date-above-number`: the right column set higher, so the date line stands above the number;
- `no-mark`: the signature block without its authority mark (title and name only).

    python tests/samples/variants.py OUTPUT_DIR
"""

from __future__ import annotations

import io
import random
import shutil
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from tests.samples.build import FONT, FONT_BOLD, LETTERS, libreoffice_convert, split_letter

VARIANTS = (
    "table-pdf",
    "e-signed-pdf",
    "table-docx",
    "doc",
    "scan-200dpi",
    "date-above-number",
    "no-mark",
)
LINE = 6.0  # mm between header lines
_MARKS = ("T/M", "K/T", "T/L", "T/U", "TM.", "KT.", "TL.", "TUQ.", "Q.")


@dataclass(frozen=True)
class Parts:
    """A sample letter cut where the layouts place its zones."""

    left: list[str]  # issuer, number, V/v
    right: list[str]  # motto, place and date
    body: list[str]  # from the salutation or first paragraph to the last paragraph
    distribution: list[str]  # "Nơi nhận:" and its list
    signature: list[str]  # marks, title, name


def parts(text: str) -> Parts:
    left, right, rest = split_letter(text)
    if not right and not any(line.startswith("Số") for line in left):
        left, rest = [], text.splitlines()  # a letter without a header block
    lines = [line for line in rest]
    start = next((i for i, line in enumerate(lines) if line.startswith("Nơi nhận")), len(lines))
    tail = lines[start:]
    end = next((i for i, line in enumerate(tail) if not line.strip()), len(tail))
    signature = [line for line in tail[end:] if line.strip()]
    if start == len(lines):  # no "Nơi nhận": the signature block is the last lines
        mark = max(i for i, line in enumerate(lines) if line.isupper() and line.strip())
        while mark and lines[mark - 1].isupper() and lines[mark - 1].strip():
            mark -= 1
        signature = [line for line in lines[mark:] if line.strip()]
        lines, start, tail, end = lines[:mark], mark, [], 0
    return Parts(left, right, lines[:start], tail[:end], signature)


def without_mark(letter: Parts) -> Parts:
    return replace(letter, signature=[s for s in letter.signature if not s.startswith(_MARKS)])


def expected_of(variant: str, plain: dict[str, Any]) -> dict[str, Any]:
    """What a variant must read: the plain letter's values (no mark: no authority)."""
    return {**plain, "authority": None} if variant == "no-mark" else dict(plain)


# --- PDF ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blank:
    """Where a value was left out of the text layer, in mm from the top left, and the value."""

    x: float
    y: float
    width: float
    value: str


def _number_blank(line: str) -> tuple[str, str, str] | None:
    """`Số: 5123/UBND-KGVX` → ("Số:", "5123", "/UBND-KGVX")."""
    import re

    found = re.match(r"^(Số:?)\s*(\d+)(\s*[-/].*)$", line)
    return (found[1], found[2], found[3].strip()) if found else None


def _centred(pdf: Any, x: float, width: float, y: float, line: str, bold: bool) -> None:
    pdf.set_font("DejaVu", "B" if bold else "", 10)
    pdf.set_xy(x, y)
    pdf.cell(width, LINE, line, align="C")


def _blanked_line(pdf: Any, x: float, width: float, y: float, line: str) -> list[Blank]:
    """A number or date line with its digits left blank; returns where they belong."""
    import re

    pdf.set_font("DejaVu", "", 10)
    number = _number_blank(line)
    if number:
        head, digits, notation = number
        pieces = [(head, None), ("", digits), (notation, None)]
    else:
        date = re.match(r"^(.*ngày)\s+(\d+)\s+(tháng)\s+(\d+)\s+(năm \d{4})$", line)
        if not date:
            _centred(pdf, x, width, y, line, False)
            return []
        pieces = [(date[1], None), ("", date[2]), (date[3], None), ("", date[4]), (date[5], None)]
    gap = 12.0
    total = sum(pdf.get_string_width(t) + 1 for t, v in pieces if v is None)
    total += gap * sum(1 for _, v in pieces if v is not None)
    cursor, blanks = x + (width - total) / 2, []
    for text, value in pieces:
        if value is None:
            pdf.set_xy(cursor, y)
            pdf.cell(pdf.get_string_width(text) + 1, LINE, text)
            cursor += pdf.get_string_width(text) + 1
        else:
            blanks.append(Blank(cursor, y, gap, value))
            cursor += gap
    return blanks


def _column(pdf: Any, x: float, width: float, top: float, lines: list[str],
            blank_values: bool) -> tuple[float, list[Blank]]:  # fmt: skip
    y, blanks = top, []
    for line in lines:
        is_value_line = line.startswith("Số") or ", ngày " in line
        if blank_values and is_value_line:
            blanks += _blanked_line(pdf, x, width, y, line)
        else:
            _centred(pdf, x, width, y, line, line.isupper())
        y += LINE
    return y, blanks


def _layout_pdf(letter: Parts, blank_values: bool = False,
                date_first: bool = False) -> tuple[bytes, list[Blank], float]:  # fmt: skip
    """The letter as a two-column PDF; the blanks left for values, and where the signature
    block starts (mm from the top of its page)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    shift = 2 * LINE if date_first else 0.0
    left_end, left_blanks = _column(pdf, 15, 85, 15 + shift, letter.left, blank_values)
    right_end, right_blanks = _column(pdf, 100, 100, 15, letter.right, blank_values)
    pdf.set_xy(25, max(left_end, right_end) + 8)
    pdf.set_font("DejaVu", "", 11)
    for line in letter.body:
        pdf.set_x(25)
        pdf.multi_cell(165, 6, line or " ", new_x="LEFT", new_y="NEXT")
    if pdf.get_y() > 230:
        pdf.add_page()
    top = pdf.get_y() + 6
    pdf.set_font("DejaVu", "", 9)
    pdf.set_xy(25, top)
    for line in letter.distribution:
        pdf.set_x(25)
        pdf.cell(80, 5, line, new_x="LEFT", new_y="NEXT")
    y = top
    for index, line in enumerate(letter.signature):
        _centred(pdf, 110, 80, y, line, line.isupper())
        y += LINE + (24 if index == len(letter.signature) - 2 else 0)  # room to sign
    return bytes(pdf.output()), left_blanks + right_blanks, top


def _pdf_dict(**items: Any) -> Any:
    """A PDF dictionary from keyword names: `Type="/Annot"` → `/Type /Annot`."""
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject

    def value(item: Any) -> Any:
        if isinstance(item, str) and item.startswith("/"):
            return NameObject(item)
        if isinstance(item, (list, tuple)):
            return ArrayObject(FloatObject(v) for v in item)
        return item

    return DictionaryObject({NameObject(f"/{key}"): value(item) for key, item in items.items()})


def _with_widgets(data: bytes, blanks: list[Blank]) -> bytes:
    """Signature-field widgets on the first page, each showing its value (Helvetica)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, NumberObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    height = float(writer.pages[0].mediabox.height)
    points = 72 / 25.4
    font = writer._add_object(_pdf_dict(Type="/Font", Subtype="/Type1", BaseFont="/Helvetica"))
    for index, blank in enumerate(blanks):
        width, tall = blank.width * points, LINE * points
        appearance = DecodedStreamObject()
        appearance.set_data(f"BT /Helv 10 Tf 3 5 Td ({blank.value}) Tj ET".encode())
        appearance.update(_pdf_dict(
            Type="/XObject", Subtype="/Form", BBox=(0, 0, width, tall),
            Resources=_pdf_dict(Font=_pdf_dict(Helv=font)),
        ))  # fmt: skip
        x0, top = blank.x * points, height - blank.y * points
        widget = _pdf_dict(
            Type="/Annot", Subtype="/Widget", FT="/Sig", F=NumberObject(4),
            T=TextStringObject(f"Signature{index + 1}"), Rect=(x0, top - tall, x0 + width, top),
            AP=_pdf_dict(N=writer._add_object(appearance)),
        )  # fmt: skip
        writer.add_annotation(0, widget)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- Word -----------------------------------------------------------------------------------


def write_table_docx(letter: Parts, target: Path) -> Path:
    import docx

    document = docx.Document()

    def table(columns: tuple[list[str], list[str]]) -> None:
        cells = document.add_table(rows=1, cols=2).rows[0].cells
        for cell, lines in zip(cells, columns, strict=True):
            cell.paragraphs[0].text = lines[0] if lines else ""
            for line in lines[1:]:
                cell.add_paragraph(line)

    if letter.left or letter.right:
        table((letter.left, letter.right))
    for line in letter.body:
        document.add_paragraph(line)
    table((letter.distribution, letter.signature))
    document.add_paragraph("")  # Word 97 files end with a paragraph; a table last is lost
    path = target.with_suffix(".docx")
    document.save(str(path))
    return path


# --- scan -----------------------------------------------------------------------------------


def _stamps(page: Any, signature_top: float, rng: random.Random) -> Any:
    """A red seal over the signature block, "HỎA TỐC" and an incoming stamp, in ink."""
    from PIL import Image, ImageChops, ImageDraw, ImageFont

    red = (200, 40, 45)
    dpmm = page.width / 210
    layer = Image.new("RGB", page.size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    # Over the signing space and the left of the title, as a seal is pressed.
    x, y = int(108 * dpmm), int((signature_top + 3) * dpmm)
    size = int(30 * dpmm)
    draw.ellipse((x, y, x + size, y + size), outline=red, width=int(1.2 * dpmm))
    draw.ellipse((x + 12, y + 12, x + size - 12, y + size - 12), outline=red, width=3)
    bold = ImageFont.truetype(str(FONT_BOLD), int(4 * dpmm))
    draw.text((x + size // 4, y + size // 2 - 10), "CON DẤU", fill=red, font=bold)
    draw.text((int(8 * dpmm), int(4 * dpmm)), "HỎA TỐC", fill=red, font=bold)
    box = (int(140 * dpmm), int(44 * dpmm), int(195 * dpmm), int(62 * dpmm))
    draw.rectangle(box, outline=red, width=3)
    small = ImageFont.truetype(str(FONT), int(3 * dpmm))
    day = rng.randint(1, 28)
    draw.text((box[0] + 8, box[1] + 6), f"ĐẾN Số: {rng.randint(100, 999)}", fill=red, font=small)
    draw.text((box[0] + 8, box[1] + 6 + int(5 * dpmm)), f"Ngày: {day}/{rng.randint(1, 12)}",
              fill=red, font=small)  # fmt: skip
    return ImageChops.multiply(page, layer)


def write_scan(letter: Parts, target: Path, seed: int = 0) -> Path:
    """The two-column page rendered at 200 dpi, stamped, rotated a little, blurred, noised
    and JPEG-compressed, as an image-only PDF."""
    import pypdfium2
    from PIL import Image, ImageFilter

    data, _, signature_top = _layout_pdf(letter)
    rng = random.Random(seed)
    pdf = pypdfium2.PdfDocument(data)
    pages = []
    for index in range(len(pdf)):
        page = pdf[index].render(scale=200 / 72).to_pil().convert("RGB")
        if index == len(pdf) - 1:
            page = _stamps(page, signature_top, rng)
        page = page.rotate(rng.uniform(-1, 1), resample=Image.Resampling.BICUBIC,
                           fillcolor=(240, 238, 232))  # fmt: skip
        page = page.filter(ImageFilter.GaussianBlur(0.6))
        buffer = io.BytesIO()
        page.save(buffer, format="JPEG", quality=70)
        pages.append(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    pdf.close()
    path = target.with_suffix(".pdf")
    pages[0].save(path, "PDF", resolution=200, save_all=True, append_images=pages[1:])
    return path


# --- all ------------------------------------------------------------------------------------


def write_variant(text: str, variant: str, target: Path) -> Path:
    letter = parts(text)
    if variant == "table-pdf":
        path = target.with_suffix(".pdf")
        path.write_bytes(_layout_pdf(letter)[0])
    elif variant == "e-signed-pdf":
        data, blanks, _ = _layout_pdf(letter, blank_values=True)
        path = target.with_suffix(".pdf")
        path.write_bytes(_with_widgets(data, blanks))
    elif variant == "table-docx":
        path = write_table_docx(letter, target)
    elif variant == "doc":
        with tempfile.TemporaryDirectory() as folder:
            converted = libreoffice_convert(write_table_docx(letter, Path(folder) / target.name),
                                            "doc:MS Word 97", Path(folder))  # fmt: skip
            path = Path(shutil.move(converted, target.with_suffix(".doc")))
    elif variant == "scan-200dpi":
        path = write_scan(letter, target)
    elif variant == "date-above-number":
        path = target.with_suffix(".pdf")
        path.write_bytes(_layout_pdf(letter, date_first=True)[0])
    elif variant == "no-mark":
        path = target.with_suffix(".pdf")
        path.write_bytes(_layout_pdf(without_mark(letter))[0])
    else:
        raise ValueError(variant)
    return path


def build(output: Path, variants: tuple[str, ...] = VARIANTS) -> dict[Path, tuple[str, str]]:
    """Every sample letter in every variant: path → (letter, variant)."""
    output.mkdir(parents=True, exist_ok=True)
    written = {}
    for source in sorted(LETTERS.glob("*.txt")):
        text = source.read_text(encoding="utf-8")
        for variant in variants:
            path = write_variant(text, variant, output / f"{source.stem}__{variant}")
            written[path] = (source.stem, variant)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    for written_path in build(Path(sys.argv[1] if len(sys.argv) > 1 else "variants")):
        print(written_path)
