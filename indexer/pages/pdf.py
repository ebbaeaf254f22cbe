"""A PDF's own text, with positions: the text layer and the signature-field appearances.

E-office systems stamp a letter's number and day/month into signature fields (widget
annotations placed over the blanks of `Số: /KH-UBND` and `ngày … tháng …`), so the text
layer alone reads blanks there. PDFium flattens each page's annotations into its content;
the characters that appear only after flattening are the annotations' text, each at its
position. Grouped by the widget they sit in, they are either letter text (a number, a day),
which joins the page's words and so lands in its blank, or a signing certificate
("Người ký: …", "Cơ quan: …", "Thời gian ký: …", a "SAO Y" stamp), which is kept as
signing metadata and is not letter text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from indexer.pages.layout import Line, Word, lines_from_words

# Words of a certificate appearance: the signer's name, organisation, time, e-mail, or a
# certified-copy stamp.
_CERTIFICATE = re.compile(
    r"Người\s*ký|Ký\s*bởi|Cơ\s*quan\s*:|Thời\s*gian\s*ký|Ngày\s*ký|E-?mail\s*:|SAO\s+Y"
    r"|Signed\s+by|Signature\s+valid|Digitally\s+signed",
    re.IGNORECASE,
)
_FIELD = {
    "signer": re.compile(r"(?:Người\s*ký|Ký\s*bởi|Signed\s+by)\s*:?\s*(.+)", re.IGNORECASE),
    "organisation": re.compile(r"Cơ\s*quan\s*:\s*(.+)", re.IGNORECASE),
    "signed_at": re.compile(r"(?:Thời\s*gian\s*ký|Ngày\s*ký)\s*:?\s*(.+)", re.IGNORECASE),
    "email": re.compile(r"E-?mail\s*:\s*(\S+)", re.IGNORECASE),
}
STAMP_LETTERS = 300  # a signing stamp is short; a page of letter text is not
_SPACE = frozenset(" \t\r\n\x00\xa0\ufffe\uffff")


@dataclass(frozen=True)
class PdfPage:
    """One PDF page as read: text layer, lines, signature fields, and whether it has drawings."""

    number: int  # from 1
    layer_text: str  # the text layer alone, before signature fields are added
    lines: list[Line]  # text layer and letter text from signature fields, in reading order
    signatures: list[dict[str, Any]] = field(default_factory=list)
    has_drawing: bool = False  # images or vector paths: something OCR could read
    field_words: int = 0  # letter words that came from signature fields


def _chars(textpage: Any, width: float, height: float) -> Iterator[tuple[str, tuple[float, ...]]]:
    """(character, box in page fractions from the top left) of each character on a page."""
    import pypdfium2.raw as raw

    for index in range(textpage.count_chars()):
        char = chr(raw.FPDFText_GetUnicode(textpage.raw, index))
        left, bottom, right, top = textpage.get_charbox(index, loose=True)
        yield char, (left / width, 1 - top / height, right / width, 1 - bottom / height)


def _words(chars: list[tuple[str, tuple[float, ...]]]) -> list[Word]:
    """Characters joined into words: a space, a line break or a jump between boxes ends one."""
    words: list[Word] = []
    text, box = "", [0.0, 0.0, 0.0, 0.0]

    def close() -> None:
        if text:
            words.append(Word(text, *box))

    for char, (x0, y0, x1, y1) in chars:
        if char in _SPACE or x1 <= x0:
            close()
            text = ""
            continue
        size = y1 - y0
        if text and (x0 - box[2] > 0.15 * size or x0 < box[0] or abs(y0 - box[1]) > 0.5 * size):
            close()
            text = ""
        if not text:
            box = [x0, y0, x1, y1]
        else:
            box = [box[0], min(box[1], y0), max(box[2], x1), max(box[3], y1)]
        text += char
    close()
    return words


def _widget_rects(page: Any, width: float, height: float) -> list[tuple[float, ...]]:
    import pypdfium2.raw as raw

    rects: list[tuple[float, ...]] = []
    for index in range(raw.FPDFPage_GetAnnotCount(page.raw)):
        annot = raw.FPDFPage_GetAnnot(page.raw, index)
        try:
            rect = raw.FS_RECTF()
            if raw.FPDFAnnot_GetRect(annot, rect):
                rects.append(
                    (rect.left / width, 1 - rect.top / height,
                     rect.right / width, 1 - rect.bottom / height)
                )  # fmt: skip
        finally:
            raw.FPDFPage_CloseAnnot(annot)
    return rects


def _inside(word: Word, rect: tuple[float, ...]) -> bool:
    middle_x, middle_y = (word.x0 + word.x1) / 2, (word.y0 + word.y1) / 2
    return rect[0] <= middle_x <= rect[2] and rect[1] <= middle_y <= rect[3]


def certificate(text: str) -> dict[str, Any] | None:
    """The signing metadata an appearance carries, or None when it is letter text."""
    if not _CERTIFICATE.search(text):
        return None
    found: dict[str, Any] = {"kind": "sao y" if re.search(r"SAO\s+Y", text) else "ký số"}
    for name, pattern in _FIELD.items():
        match = pattern.search(text)
        if match:
            found[name] = match.group(1).strip()
    if found["kind"] == "sao y" and "organisation" not in found:
        after = re.split(r"SAO\s+Y", text, maxsplit=1)[1].strip().splitlines()
        if after and not _CERTIFICATE.search(after[0]):
            found["organisation"] = after[0].strip()
    found["text"] = text
    return found


def _annotation_chars(
    before: list[tuple[str, tuple[float, ...]]], after: list[tuple[str, tuple[float, ...]]]
) -> list[tuple[str, tuple[float, ...]]]:
    """Characters present after flattening and not before: the annotations' own text."""
    seen = Counter((char, tuple(round(v, 4) for v in box)) for char, box in before)
    added = []
    for char, box in after:
        key = (char, tuple(round(v, 4) for v in box))
        if seen[key] > 0:
            seen[key] -= 1
        else:
            added.append((char, box))
    return added


def _read_page(pdf: Any, index: int) -> PdfPage:
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        width, height = page.get_size()
        drawn = [raw.FPDF_PAGEOBJ_IMAGE, raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_SHADING]
        has_drawing = any(True for _ in page.get_objects(filter=drawn))
        textpage = page.get_textpage()
        layer = list(_chars(textpage, width, height))
        textpage.close()
        rects = _widget_rects(page, width, height)
        flattened: list[tuple[str, tuple[float, ...]]] = []
        if rects and raw.FPDFPage_Flatten(page.raw, raw.FLAT_NORMALDISPLAY) == raw.FLATTEN_SUCCESS:
            page.close()
            page = pdf[index]
            textpage = page.get_textpage()
            flattened = _annotation_chars(layer, list(_chars(textpage, width, height)))
            textpage.close()
    finally:
        page.close()
    words, layer_text = _words(layer), "".join(char for char, _ in layer)
    signatures, field_words = [], 0
    stamp = _stamp(layer_text)
    if stamp is not None:  # a text layer holding only a signature stamp is no letter text
        signatures.append({**stamp, "page": index + 1})
        words, layer_text = [], ""
    for rect_words in _by_widget(_words(flattened), rects):
        signing = certificate("\n".join(line.text for line in lines_from_words(rect_words)))
        if signing is None:
            words.extend(rect_words)
            field_words += len(rect_words)
        else:
            signatures.append({**signing, "page": index + 1})
    return PdfPage(index + 1, layer_text, lines_from_words(words), signatures, has_drawing,
                   field_words)  # fmt: skip


def _stamp(layer_text: str) -> dict[str, Any] | None:
    """The certificate a short text layer holds when it is nothing but a signing stamp."""
    if sum(ch.isalpha() for ch in layer_text) > STAMP_LETTERS:
        return None
    return certificate(layer_text)


def _by_widget(words: list[Word], rects: list[tuple[float, ...]]) -> list[list[Word]]:
    """Annotation words grouped by the widget they sit in (words outside any, apart)."""
    groups: dict[int, list[Word]] = {}
    for word in words:
        owner = next((i for i, rect in enumerate(rects) if _inside(word, rect)), -1)
        groups.setdefault(owner, []).append(word)
    return list(groups.values())


def read_pages(data: bytes) -> Iterator[PdfPage]:
    """Each page of a PDF with its text and positions; PdfiumError for an unreadable file."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            yield _read_page(pdf, index)
    finally:
        pdf.close()
