"""Vietnamese text normalization: the one place where text is cleaned and folded.

`clean` runs on every extracted text and on every query, so that indexing and searching
see the same characters. `fold` gives the accentless form (tones removed, đ → d) used for
keys and comparisons; the search engine folds with an equivalent analyzer (tested).
`reflow` turns hard-wrapped extracted lines back into paragraphs.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from itertools import pairwise

from unidecode import unidecode

# Characters that look like Vietnamese letters or ASCII punctuation but are not.
_LOOKALIKES = str.maketrans(
    {
        "\u00d0": "Đ",  # Icelandic eth, common in PDF text for Đ
        "\u00f0": "đ",
        "\u0189": "Đ",  # African D
        "\u01a3": "ư",  # ƣ (oi), common in PDF text for ư
        "\u01a2": "Ư",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\ufe63": "-",
        "\uff0d": "-",
        "\u2044": "/",  # fraction slash (Tesseract writes V⁄v)
        "\u2215": "/",
        "\uff0f": "/",
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u3000": " ",
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
        "\u00ad": None,  # soft hyphen (legacy TCVN3 ư is decoded before this runs)
    }
)

# Cyrillic letters drawn like Latin ones. PDF text layers put them inside numbers and codes
# (`12/КН-UBND`); inside a word that also has Latin letters or digits they are read as the
# Latin letters they look like, so the number is found. Cyrillic words are left alone.
_CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТХУаеорсхуІіЈј", "ABEKMHOPCTXYaeopcxyIiJj")
_CYRILLIC_LETTER = "[А-Яа-яІіЈј]"
_CYRILLIC = re.compile(_CYRILLIC_LETTER)
_MIXED_WORD = re.compile(
    rf"[\w/-]*(?:[A-Za-z0-9][\w/-]*{_CYRILLIC_LETTER}|{_CYRILLIC_LETTER}[\w/-]*[A-Za-z0-9])[\w/-]*"
)

_TONES = "\u0300\u0301\u0303\u0309\u0323"
# Old-style tone placement puts the tone on the second vowel of an open oa/oe/uy syllable
# (hoà, khoẻ, thuỷ); the style used here puts it on the first (hòa, khỏe, thủy). After
# "q" the u is part of the consonant (quý), so those syllables are left alone.
_OLD_TONE = re.compile(rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\u0300-\u036f]|[^\W\d_])")
_PAIRS = {"o": "aAeE", "O": "aAeE", "u": "yY", "U": "yY"}


def _move_tone(match: re.Match[str]) -> str:
    first, second, tone = match.group(1), match.group(2), match.group(3)
    if second not in _PAIRS.get(first, ""):
        return match.group(0)
    return first + tone + second


def unify_tones(text: str) -> str:
    """Rewrite old-style tone placement (hoà, uỷ, thuỷ, khoẻ) in the new style (hòa, ủy…)."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _OLD_TONE.sub(_move_tone, decomposed)
    return unicodedata.normalize("NFC", moved)


# A lone italic word after the end of a sentence, closing its line, is a stamp or a margin
# note read by the extractor (`… chỉ đạo. *thủy*`), not part of the letter.
_STRAY_WORD = re.compile(r"(?<=[.;:!?])[ \t]+\*[^\s*]{1,20}\*[ \t]*$", re.M)
_MARKUP_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_MARKUP_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_SPACES = re.compile(r"[ \t\f\v]+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # category Cc but tab and newline


def clean(text: str) -> str:
    """NFC, look-alike characters, unified tone placement and tidy spaces; keeps line breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    if _CYRILLIC.search(text):
        text = _MIXED_WORD.sub(lambda word: word.group(0).translate(_CYRILLIC_LOOKALIKES), text)
    text = _CONTROLS.sub("", text)
    text = unify_tones(text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def strip_markup(text: str) -> str:
    """Drop emphasis markup left by extraction: `**28**` → 28, `*xóm, bản*` → xóm, bản,
    and stray italic words after a sentence's end (`chỉ đạo. *thủy*` → `chỉ đạo.`)."""
    text = _STRAY_WORD.sub("", text)
    text = _MARKUP_BOLD.sub(r"\1", text)
    return _MARKUP_ITALIC.sub(r"\1", text)


def fold(text: str) -> str:
    """Accentless lowercase form: tones and vowel marks removed, đ → d."""
    return _fold_short(text) if len(text) <= _SHORT else _fold(text)


_SHORT = 200  # a line or a name: folded again by each reading step, so remembered


@lru_cache(maxsize=16_384)
def _fold_short(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    return unidecode(clean(text)).lower()


def fold_in_place(text: str) -> str:
    """`fold` letter by letter, every character kept in its place (a character that does
    not fold to one letter stays as it is), so a match in the result is one in `text`."""
    return "".join(f if len(f := unidecode(c).lower()) == 1 else c for c in text)


def spelled_as_in(phrase: str, text: str) -> str:
    """An OCR'd phrase with each word spelled as the letter mostly spells it next to the
    same neighbour ("tô chức" → "tổ chức" when the text holds "tổ chức" more often).

    Recognition slips on tones differ from line to line, so the letter's own text outvotes
    a slip in the phrase; a word keeps its spelling unless another, with the same letters
    accentless and beside the same word, occurs more often.
    """
    words = re.findall(r"\w+", text.lower())
    pairs: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
    for pair in pairwise(words):
        pairs.setdefault((fold(pair[0]), fold(pair[1])), Counter())[pair] += 1
    tokens = re.split(r"(\w+)", phrase)
    spots = list(range(1, len(tokens), 2))
    for left, right in pairwise(spots):
        if tokens[left + 1].strip():
            continue  # only words side by side (a comma or a dash parts them)
        counts = pairs.get((fold(tokens[left]), fold(tokens[right])))
        if not counts:
            continue
        best, seen = counts.most_common(1)[0]
        if seen > counts[(tokens[left].lower(), tokens[right].lower())]:
            tokens[left] = _same_case(best[0], tokens[left])
            tokens[right] = _same_case(best[1], tokens[right])
    return "".join(tokens)


def _same_case(word: str, model: str) -> str:
    """`word` (lowercase) with the capitals of `model`, a spelling of the same letters."""
    return "".join(c.upper() if m.isupper() else c for c, m in zip(word, model, strict=False))


# --- reflow -----------------------------------------------------------------------------

_LIST_START = re.compile(r"^(?:[-+•*]\s|\d{1,2}[.)]\s|[a-zđ][)]\s|[IVX]{1,4}[.]\s)")
_SENTENCE_END = re.compile(r"[.:;!?…]$|[.:;!?]\)$")
_SPLIT_NUMBER_HEAD = re.compile(r"\d+\s*[-/]$")
_SPLIT_NUMBER_TAIL = re.compile(r"^[A-ZĐ][A-Za-zĐđ]*\s*[/-]")


HEADING_MAX_CHARS = 200  # longer is a paragraph, however it is written


def _is_heading(line: str) -> bool:
    if len(line) > HEADING_MAX_CHARS:
        return False
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _continues(previous: str, heading: bool, line: str) -> bool:
    """Whether `line` continues the paragraph that ends with `previous` (a hard wrap);
    `heading`: that paragraph is an uppercase heading."""
    if _SENTENCE_END.search(previous[-2:]) or _LIST_START.match(line):
        return False
    if heading or _is_heading(line):
        return False
    first = line[0]
    return first.islower() or first.isdigit() or previous.endswith((",", "-", "(", "và", "của"))


def reflow(text: str) -> str:
    """Join hard-wrapped lines into paragraphs, one paragraph a line.

    Extraction wraps lines at the page width, often with a blank line between wrapped lines,
    and splits document numbers at a line end ("1879-" / "CV/TU"): both are undone here.
    A line that ends a sentence, starts a list item or is an uppercase heading stays apart.
    """
    # A paragraph is kept as its pieces, joined once at the end, and judged by its last
    # piece and its length: joining and scanning it as it grew was quadratic in its length.
    paragraphs: list[list[str]] = []
    sizes: list[int] = []
    for line in (raw.strip() for raw in text.split("\n")):
        if not line:
            continue
        last = paragraphs[-1][-1] if paragraphs else ""
        if last and _SPLIT_NUMBER_HEAD.search(last[-12:]) and _SPLIT_NUMBER_TAIL.match(line):
            paragraphs[-1].append(line)  # "1879-" + "CV/TU": no space between
            sizes[-1] += len(line)
        elif last and _continues(last, _is_heading_paragraph(paragraphs[-1], sizes[-1]), line):
            paragraphs[-1] += [" ", line]
            sizes[-1] += 1 + len(line)
        else:
            paragraphs.append([line])
            sizes.append(len(line))
    return "\n".join("".join(pieces) for pieces in paragraphs)


def _is_heading_paragraph(pieces: list[str], size: int) -> bool:
    return size <= HEADING_MAX_CHARS and _is_heading("".join(pieces))


def normalize_document(raw: str) -> str:
    """The searchable text of a letter: cleaned, markup dropped, reflowed."""
    return reflow(strip_markup(clean(raw)))
