"""Letters rendered as degraded 300-dpi scans: the project's synthetic scanner.

Each page: the letter's lines in a serif-less body font on a slightly grey background, a red
round stamp over the signature block, skew up to ±2°, blur, speckle noise and JPEG
compression, as a scanner in a provincial office produces them.

Three users render scans with it: the OCR, upload and browser tests; the sample archive
that `./dev run` serves (tests/samples/build.py writes its scans with it); and the OCR
benchmark (bench/bench_ocr.py). It is sample data, like the letters beside it, not a test
helper: it imports nothing of ours, and the service (archive/, indexer/, web/) ships no
fake scanner. The fonts it names are the ones `./dev` installs (fonts-dejavu-core), and the
sample files use them too.
"""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"
WIDTH, HEIGHT = 2480, 3508  # A4 at 300 dpi
MARGIN, FONT_SIZE, LEADING = 210, 40, 62
BACKGROUND = (236, 235, 230)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split(" "):
            candidate = f"{current} {word}".strip()
            if current and font.getlength(candidate) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return lines


def _stamp(page: Image.Image, x: int, y: int) -> Image.Image:
    """A red seal in ink: multiplied over the page, so black text under it stays black."""
    red = (205, 35, 40)
    layer = Image.new("RGB", page.size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    draw.ellipse((x, y, x + 420, y + 420), outline=red, width=14)
    draw.ellipse((x + 40, y + 40, x + 380, y + 380), outline=red, width=5)
    draw.text((x + 95, y + 175), "TỈNH ỦY", fill=red, font=ImageFont.truetype(str(FONT_BOLD), 64))
    return ImageChops.multiply(page, layer)


def _degrade(page: Image.Image, rng: random.Random) -> Image.Image:
    page = page.rotate(rng.uniform(-2, 2), resample=Image.Resampling.BICUBIC, fillcolor=BACKGROUND)
    page = page.filter(ImageFilter.GaussianBlur(rng.uniform(0.8, 1.3)))
    speckle = rng.randbytes(page.width * page.height)  # seeded, so a test run is repeatable
    noise = Image.frombytes("L", page.size, speckle).convert("RGB")
    page = Image.blend(page, noise, 0.06)
    buffer = io.BytesIO()
    page.save(buffer, format="JPEG", quality=rng.randint(55, 75))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def render_scan(text: str, seed: int = 0) -> list[Image.Image]:
    """The letter as degraded page images, with the stamp over its last lines."""
    font = ImageFont.truetype(str(FONT), FONT_SIZE)
    lines = _wrap(text.strip(), font, WIDTH - 2 * MARGIN)
    per_page = (HEIGHT - 2 * MARGIN) // LEADING
    rng = random.Random(seed)
    pages = []
    for start in range(0, len(lines), per_page):
        page = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
        draw = ImageDraw.Draw(page)
        chunk = lines[start : start + per_page]
        for index, line in enumerate(chunk):
            draw.text((MARGIN, MARGIN + index * LEADING), line, fill=(25, 25, 28), font=font)
        if start + per_page >= len(lines):  # the signature block is on the last page
            bottom = MARGIN + len(chunk) * LEADING
            page = _stamp(page, MARGIN + 180, max(MARGIN, bottom - 400))
        pages.append(_degrade(page, rng))
    return pages


def write_scan(text: str, target: Path, as_pdf: bool, seed: int = 0) -> Path:
    """An image-only PDF, or a PNG of the first page (multi-page letters as TIFF)."""
    pages = render_scan(text, seed)
    if as_pdf:
        path = target.with_suffix(".pdf")
        pages[0].save(path, "PDF", resolution=300, save_all=True, append_images=pages[1:])
    elif len(pages) > 1:
        path = target.with_suffix(".tif")
        pages[0].save(path, "TIFF", compression="tiff_lzw", save_all=True, append_images=pages[1:])
    else:
        path = target.with_suffix(".png")
        pages[0].save(path)
    return path
