"""Optical character recognition of scanned letters with Tesseract's Vietnamese model.

Pages are rendered (PDF, 300 dpi) or read (PNG, JPEG, multi-page TIFF) one at a time and
recognised by `tesseract` processes running side by side, one thread each
(`OMP_THREAD_LIMIT=1`), at most a few pages in memory at once. Each page's text and mean
word confidence are returned as soon as it is done, so a caller can store it and a
long batch can resume without redoing finished pages.

Preprocessing keeps what measured helpful on degraded Vietnamese letters: the red channel
as grayscale with clearly red pixels whitened, so red seals and signatures vanish while
black text stays black (a seal over the signature block otherwise read as stray letters,
CER 2.3 % → under 1 % on a short letter). Median filtering and Otsu binarization were
measured too (CER 0.07 % → 0.14 % on a page skewed 1.5°, blurred, noisy and
JPEG-compressed, with `--psm 6`): Tesseract's own binarization did better, so they are not
applied. Deskewing, which did not help then, is applied now: automatic page segmentation
cuts skewed lines into fragments without it.

On real government scans (bench/bench_ocr_real.py) what helped was page layout: automatic
page segmentation and our own reading order (`indexer.pages.layout`), so the header columns and
the Nơi nhận / signature blocks are read apart; Sauvola binarization; and dropping words
Tesseract itself doubts. Enlarging 200-dpi scans to 300 dpi and `vie+Latin` were measured
and did not help, so pages are recognised at the resolution they come in. Blank pages
(a scanned back side) are recognised as blank without running Tesseract.
"""

from __future__ import annotations

import io
import itertools
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image, ImageChops, UnidentifiedImageError

from indexer.language.numbers import ISSUER_CODES, TYPE_CODES, find_numbers
from indexer.pages.handwriting import handwriting_ready, read_blanks
from indexer.pages.layout import Blank, PageLayout, Word, lines_from_rows
from indexer.pages.signature_area import merged, unread_signature_area

DPI = 300
MAX_PAGES = 500  # per document; longer files are refused with a message (configurable)
MAX_PIXELS = 60_000_000  # a page image larger than this is a decompression bomb
TESSERACT_TIMEOUT = 300
LANGUAGE = "vie"
# Fully automatic page segmentation finds the blocks of a letter (header columns, Nơi nhận
# and signature) instead of reading each line across the page as `--psm 6` does.
PAGE_SEGMENTATION = "3"
BLOCK_SEGMENTATION = "6"  # one block: a signature area read again (see signature_area)
# Tesseract's Sauvola binarization (local thresholds) instead of its global Otsu: it keeps
# light or unevenly lit print (measured on real scans: bench/bench_ocr_real.py).
THRESHOLDING = 2
# Words Tesseract is this unsure of are stamps, seals, handwriting and specks read as
# letters (`¬= I-sÀ +.`); dropping them lowered the real-scan CER (docs/benchmarks.md).
MIN_WORD_CONFIDENCE = 20.0
INK = 128  # darker than this (0–255) is ink
MAX_SKEW, SKEW_STEP = 3.0, 0.1  # degrees searched for a page's tilt, and the step
SKEW_SAMPLE_WIDTH = 1000  # pixels: the page is measured at this width
# A page with less ink than this share of its area is blank: measured on real scans, a
# blank back side has 0.001 %, the emptiest page of text 3 %.
BLANK_INK_SHARE = 0.001
BLANK_MARGIN = 0.06  # of each side, where scanners leave dark edges
INK_CONTRAST = 50  # levels darker than the paper that count as ink
RED_MARGIN = 30  # how much redder than green and blue a pixel must be to count as seal ink
INK_LIGHTNESS = 150  # seal ink alone is light in the red channel; text under it is dark
PAPER = 170  # lighter than this in the red channel is background


class OcrError(Exception):
    """The file cannot be recognised; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class PageText:
    """One recognised page: its text, mean word confidence, and lines with word boxes."""

    number: int  # from 1
    text: str
    confidence: float | None  # mean word confidence, 0–100; None for a blank page
    layout: PageLayout | None = None  # lines and word boxes, in reading order
    blank: bool = False  # no ink: not sent to Tesseract


def tesseract_ready() -> bool:
    """Whether `tesseract` and its Vietnamese model are installed."""
    if shutil.which("tesseract") is None:
        return False
    listed = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return LANGUAGE in listed.stdout.split()


# --- pages ---------------------------------------------------------------------------------


class ScanPages:
    """The pages of one scan, opened once: how many there are, and each rendered on demand
    (one at a time, so a 1,000-page PDF never sits in memory)."""

    def __init__(self, data: bytes, mime: str) -> None:
        self._pdf: Any = None
        self._image: Image.Image | None = None
        if mime == "application/pdf":
            import pypdfium2

            try:
                self._pdf = pypdfium2.PdfDocument(data)
            except pypdfium2.PdfiumError as error:
                raise OcrError(f"PDF hỏng, không dựng được trang ({error})") from error
            self.count = len(self._pdf)
        else:
            self._image = _open_image(data)
            self.count = getattr(self._image, "n_frames", 1)

    def __enter__(self) -> ScanPages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pdf is not None:
            self._pdf.close()
        if self._image is not None:
            self._image.close()

    def images(self, skip: set[int], dpi: int = DPI) -> Iterator[tuple[int, Image.Image]]:
        """(page number, image) for each page not in `skip`."""
        for index in range(self.count):
            if index + 1 not in skip:
                yield index + 1, self.render(index + 1, dpi)

    def render(self, number: int, dpi: int = DPI) -> Image.Image:
        """Page `number` (from 1) as an RGB image."""
        index = number - 1
        if self._pdf is not None:
            import pypdfium2

            page = self._pdf[index]
            try:
                width, height = page.get_size()
                scale = dpi / 72
                pixels = width * scale * height * scale
                if pixels > MAX_PIXELS:  # a 14,400 pt page would take over 10 GB
                    raise OcrError(
                        f"trang {number} quá lớn để dựng ảnh ({_count(int(pixels))} điểm ảnh "
                        f"ở {dpi} dpi; tối đa {_count(MAX_PIXELS)})"
                    )
                return page.render(scale=scale).to_pil()
            except pypdfium2.PdfiumError as error:
                raise OcrError(f"không dựng được trang {number} của PDF") from error
            finally:
                page.close()
        assert self._image is not None
        try:
            self._image.seek(index)
            return self._image.convert("RGB")
        except (OSError, EOFError, Image.DecompressionBombError) as error:
            raise OcrError(f"ảnh hỏng ở trang {index + 1} ({error})") from error


def _count(number: int) -> str:
    """12.345.678: thousands grouped as Vietnamese writes them."""
    return f"{number:,}".replace(",", ".")


def count_pages(data: bytes, mime: str) -> int:
    """How many pages a scan has (a PDF's pages, an image file's frames)."""
    with ScanPages(data, mime) as pages:
        return pages.count


def _open_image(data: bytes) -> Image.Image:
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        image = Image.open(io.BytesIO(data))
        image.size  # noqa: B018 - reading the header is what trips a decompression bomb
        return image
    except Image.DecompressionBombError as error:
        raise OcrError(
            f"ảnh quá lớn (hơn {_count(MAX_PIXELS)} điểm ảnh), nghi là bom giải nén"
        ) from error
    except (UnidentifiedImageError, OSError) as error:
        raise OcrError(f"ảnh hỏng hoặc không đọc được ({type(error).__name__})") from error


def page_png(data: bytes, mime: str, number: int, width: int = 900) -> bytes:
    """One page as a PNG `width` pixels wide, for showing beside its text."""
    image = _page(data, mime, number, dpi=100)
    image.thumbnail((width, width * 2))
    return _png(image)


def page_part_png(data: bytes, mime: str, number: int, box: tuple[float, ...]) -> bytes:
    """The part `box` of a page (x0, y0, x1, y1 in page fractions) as a PNG at 200 dpi,
    where a person reads a handwritten digit as well as on paper."""
    image = _page(data, mime, number, dpi=200)
    width, height = image.size
    x0, y0, x1, y1 = (max(0.0, min(1.0, v)) for v in box)
    return _png(image.crop((int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height))))


def _page(data: bytes, mime: str, number: int, dpi: int) -> Image.Image:
    with ScanPages(data, mime) as pages:
        if not 1 <= number <= pages.count:
            raise OcrError(f"không có trang {number}")
        return pages.render(number, dpi=dpi)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def preprocess(image: Image.Image) -> Image.Image:
    """The red channel as grayscale, with clearly red pixels whitened: red seals and
    signatures disappear, black text (also where a seal's ink covers it) stays."""
    red, green, blue = image.convert("RGB").split()
    redness = ImageChops.subtract(red, ImageChops.lighter(green, blue))
    reddish = redness.point(lambda value: 255 if value > RED_MARGIN else 0).convert("1")
    light = red.point(lambda value: 255 if value > INK_LIGHTNESS else 0).convert("1")
    gray = red.copy()
    # Only light red pixels are seal ink alone; dark ones are text the ink runs over.
    gray.paste(255, mask=ImageChops.logical_and(reddish, light))
    # Paper, and the pale halo JPEG leaves around red ink, become white; text is far darker.
    return gray.point(lambda value: 255 if value > PAPER else value)


# --- recognition ----------------------------------------------------------------------------


def is_blank(gray: Image.Image) -> bool:
    """Whether a page holds no ink worth recognising (a blank back side, a separator).

    The scanner's dark edges are left out: only the page inside a margin is looked at.
    """
    width, height = gray.size
    left, top = round(width * BLANK_MARGIN), round(height * BLANK_MARGIN)
    inside = gray.crop((left, top, width - left, height - top))
    darker_or_equal = list(itertools.accumulate(inside.histogram()))  # pixels up to each level
    total = max(darker_or_equal[-1], 1)
    # Ink is what stands clearly darker than the paper, however faint or blurred the print.
    paper = next(level for level, count in enumerate(darker_or_equal) if count >= total / 2)
    ink = darker_or_equal[paper - INK_CONTRAST - 1] if paper > INK_CONTRAST else 0
    return ink / total < BLANK_INK_SHARE


def skew_angle(gray: Image.Image) -> float:
    """The angle (degrees) by which a page's lines are tilted, found as the angle at which
    the ink's row profile is sharpest (lines of text then fall on few rows): a coarse
    search over ±MAX_SKEW, then a fine one around the best coarse angle."""
    import numpy

    small = gray.copy()
    small.thumbnail((SKEW_SAMPLE_WIDTH, SKEW_SAMPLE_WIDTH * 2))
    ys, xs = numpy.nonzero(numpy.asarray(small) < INK)
    if len(ys) < 100:
        return 0.0

    def sharpness(angle: float) -> float:
        rows = numpy.round(ys + xs * numpy.tan(numpy.radians(angle))).astype(int)
        profile = numpy.bincount(rows - rows.min())
        return float(numpy.dot(profile, profile))

    coarse = max(numpy.arange(-MAX_SKEW, MAX_SKEW + 0.25, 0.5), key=sharpness)
    fine = numpy.arange(coarse - 0.4, coarse + 0.45, SKEW_STEP)
    return round(float(max(fine, key=sharpness)), 2)


def deskew(gray: Image.Image) -> Image.Image:
    """The page turned so its lines are level (Tesseract finds columns and lines better)."""
    angle = skew_angle(gray)
    if abs(angle) < SKEW_STEP:
        return gray
    return gray.rotate(-angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


def _recognise(number: int, image: Image.Image) -> PageText:
    gray = deskew(preprocess(image))
    if is_blank(gray):
        return PageText(number, "", None, blank=True)
    layout, confidence = from_tsv(number, _tesseract(gray, PAGE_SEGMENTATION, number), gray.size)
    area = unread_signature_area(layout)
    if area is not None:  # a seal hid the signature block from the page's segmentation
        width, height = gray.size
        box = (int(area[0] * width), int(area[1] * height), width, int(area[3] * height))
        crop = gray.crop(box)
        found, _ = from_tsv(number, _tesseract(crop, BLOCK_SEGMENTATION, number), crop.size)
        layout = merged(layout, area, found)
    if number == 1:  # the header, with its number and date blanks, is on the first page
        layout = replace(layout, blanks=_blanks(gray, layout))
    text = "\n".join(repair(line.text) for line in layout.lines)
    return PageText(number, text, confidence, layout)


def _blanks(gray: Image.Image, layout: PageLayout) -> tuple[Blank, ...]:
    """The header's handwritten blanks, read again (`indexer.pages.handwriting`)."""
    if not handwriting_ready():
        return ()
    try:
        return read_blanks(gray, layout)
    except Exception:  # a second reading: the page's own OCR stands without it
        return ()


def _tesseract(gray: Image.Image, segmentation: str, number: int) -> str:
    """Tesseract's TSV (words, boxes, confidences) for an image of page `number`."""
    buffer = io.BytesIO()
    gray.save(buffer, format="PNG")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", LANGUAGE, "--psm", segmentation,
         "-c", f"thresholding_method={THRESHOLDING}", "tsv"],
        input=buffer.getvalue(), capture_output=True, env=env, timeout=TESSERACT_TIMEOUT,
    )  # fmt: skip
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise OcrError(f"tesseract lỗi ở trang {number}: {' '.join(reason)}")
    return result.stdout.decode()


def from_tsv(number: int, tsv: str, size: tuple[int, int]) -> tuple[PageLayout, float | None]:
    """Tesseract's words with their boxes as a page layout, and their mean confidence."""
    width, height = size
    rows: dict[tuple[str, str, str], list[Word]] = {}
    confidences = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        confidences.append(float(cells[10]))
        if confidences[-1] < MIN_WORD_CONFIDENCE:  # stamps, seals, handwriting, specks
            continue
        left, top, box_width, box_height = (int(value) for value in cells[6:10])
        word = Word(cells[11], left / width, top / height,
                    (left + box_width) / width, (top + box_height) / height,
                    confidence=confidences[-1])  # fmt: skip
        rows.setdefault((cells[2], cells[3], cells[4]), []).append(word)
    layout = PageLayout(number, tuple(lines_from_rows(rows.values())))
    return layout, (sum(confidences) / len(confidences) if confidences else None)


def recognise_pages(
    images: Iterator[tuple[int, Image.Image]], workers: int | None = None
) -> Iterator[PageText]:
    """Recognise pages in parallel, yielding each as it completes (at most 2×workers held)."""
    workers = workers or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: list[Future[PageText]] = []
        for number, image in images:
            pending.append(pool.submit(_recognise, number, image))
            while len(pending) >= 2 * workers:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


# --- repair -----------------------------------------------------------------------------------

_SPACED_HYPHEN = re.compile(r"\b(Covid|COVID|SARS-CoV)\s*-\s+(\d+)")
_SPACED_DATE = re.compile(r"\b(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*((?:19|20)\d\d)\b")
_DOUBLED = re.compile(r"Đ(?=Đ)")
# A code split by a space after a hyphen or slash: "1063/CĐ-T Tg" → "1063/CĐ-TTg".
_SPLIT_CODE = re.compile(
    r"(?<=\d[-/])(?P<a>[A-ZĐ][A-Za-zĐđ]{0,4}) (?P<b>[A-Za-zĐđ]{1,4})\b|"
    r"(?<=[A-ZĐ][-/])(?P<c>[A-ZĐ][A-Za-zĐđ]{0,4}) (?P<d>[A-Za-zĐđ]{1,4})\b"
)
KNOWN_CODES = TYPE_CODES | ISSUER_CODES


def _join_split_code(match: re.Match[str]) -> str:
    first, second = (match["a"], match["b"]) if match["a"] else (match["c"], match["d"])
    joined = first + second
    return joined if joined in KNOWN_CODES and first not in KNOWN_CODES else match.group(0)


def repair(text: str) -> str:
    """Undo recognition slips in numbers, references and dates before normalization.

    `128 / NQ - CP` → `128/NQ-CP`, `Covid- 19` → `Covid-19`, `06/ 11/2021` → `06/11/2021`,
    a doubled `ĐĐ` inside a code (`CĐĐ-TTg`) → `CĐ-TTg`, and a known code split by a space
    (`CĐ-T Tg`) → `CĐ-TTg`.
    """
    text = text.replace("Ð", "Đ").replace("ð", "đ")
    text = _SPACED_HYPHEN.sub(r"\1-\2", text)
    text = _SPACED_DATE.sub(r"\1/\2/\3", text)
    text = _SPLIT_CODE.sub(_join_split_code, text)
    for number in reversed(find_numbers(text)):
        canonical = _DOUBLED.sub("", number.text)
        text = text[: number.start] + canonical + text[number.end :]
    return text


def recognise_document(
    data: bytes, mime: str, done: set[int], on_page: Callable[[PageText], None],
    max_pages: int = MAX_PAGES,
) -> int:  # fmt: skip
    """Recognise every page not in `done`, calling `on_page` for each; return the page count."""
    with ScanPages(data, mime) as pages:
        if pages.count == 0:
            raise OcrError("PDF không có trang nào")
        if pages.count > max_pages:
            raise OcrError(
                f"quá nhiều trang ({pages.count}; giới hạn {max_pages}, đặt CONGVAN_MAX_PAGES)"
            )
        for page in recognise_pages(pages.images(done)):
            on_page(page)
        return pages.count
