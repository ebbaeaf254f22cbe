"""Whether a PDF page's text layer is the letter, or something OCR must replace.

A text layer is not always the letter: scanners and portals add one holding only a
signature stamp; OCR without a Vietnamese model leaves one without diacritics; broken
ToUnicode maps leave mojibake (`7ӌ1+ LÀO CAI`, `CØNG HOÀXÃ HØI`). Each page is judged on
measurable signs, after the usual normalization (so `ƣ` for `ư` is no fault):

- enough letters to be a page of text at all;
- the share of letters outside the Vietnamese alphabet (other alphabets, symbols in words);
- the share of words that are valid Vietnamese syllables;
- the share of syllables carrying a diacritic (real Vietnamese text: about half).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from indexer.language.vietnamese import clean

MIN_LETTERS = 40  # fewer letters than this: no text layer (a scan, or a stamp alone)
MAX_FOREIGN = 0.02  # letters outside the Vietnamese alphabet
MIN_SYLLABLES = 0.75  # words that are Vietnamese syllables (abbreviations lower it a little)
MIN_MARKED = 0.15  # syllables with a diacritic (Vietnamese-less OCR: almost none)
MIN_WORDS_TO_JUDGE = 30  # below this the shares say little; only the alphabet is judged

_BASE = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_ALPHABET = frozenset(
    unicodedata.normalize("NFC", base + tone)
    for base in _BASE + "fjwz"
    for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
)
_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_SYLLABLE = re.compile(rf"(?:{_ONSET})?[aăâeêioôơuưy]{{1,3}}(?:ch|ng|nh|[cmnpt])?")
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Verdict:
    """Whether a page's text layer can be trusted as the letter's text, and why."""

    trusted: bool
    reason: str  # why, in Vietnamese, for the `extraction` record and the user


def _base_and_tones(word: str) -> tuple[str, int]:
    """A lowercase word without its tone marks (ă, â, ê, ô, ơ, ư kept), and how many it had."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(ch in "\u0300\u0301\u0303\u0309\u0323" for ch in decomposed)
    kept = "".join(ch for ch in decomposed if ch not in "\u0300\u0301\u0303\u0309\u0323")
    return unicodedata.normalize("NFC", kept), tones


def is_syllable(word: str) -> bool:
    """Whether a word is spelled as one Vietnamese syllable (at most one tone mark)."""
    base, tones = _base_and_tones(word)
    return tones <= 1 and _SYLLABLE.fullmatch(base) is not None


def judge(text: str) -> Verdict:
    """Whether a page's text layer can be trusted as the letter's text."""
    text = clean(text)
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < MIN_LETTERS:
        return Verdict(False, "không có lớp chữ")
    foreign = sum(ch.lower() not in _ALPHABET for ch in letters) / len(letters)
    if foreign > MAX_FOREIGN:
        return Verdict(False, f"lớp chữ lỗi mã ({foreign:.0%} ký tự ngoài bảng chữ tiếng Việt)")
    words = [w for w in _WORD.findall(text) if len(w) > 1 or w.lower() in _ALPHABET]
    if len(words) < MIN_WORDS_TO_JUDGE:
        return Verdict(True, "lớp chữ của tệp")
    syllables = [w for w in words if is_syllable(w)]
    valid = len(syllables) / len(words)
    if valid < MIN_SYLLABLES:
        return Verdict(False, f"lớp chữ không phải tiếng Việt ({valid:.0%} từ là âm tiết)")
    marked = sum(not w.isascii() for w in syllables) / max(len(syllables), 1)
    if marked < MIN_MARKED:
        return Verdict(False, f"lớp chữ thiếu dấu tiếng Việt ({marked:.0%} âm tiết có dấu)")
    return Verdict(True, "lớp chữ của tệp")
