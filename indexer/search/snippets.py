"""Search snippets and highlights as safe HTML, shared by the engines and the document page:
text escaped, the query's words, phrases and numbers in <mark>.

Where the query stands in a text is found here, by one regular expression per query, not by
the engines: a quoted phrase is marked as one run where its words stand together (and its
words standing alone are not marked), a word matched with a typo is marked as the engine
matched it, and a snippet is cut around a phrase when there is one. Everything is linear in
the text (a 500 KB paragraph is marked in a fraction of a second).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple

from indexer.language.numbers import find_numbers, match_keys
from indexer.language.vietnamese import fold
from indexer.search.query import ParsedQuery

SNIPPET_CHARS = 240
SNIPPET_WINDOW = 50_000  # a long text is looked at in windows this long, the first first
_TERM = re.compile(r"[a-z]+|\d+")  # folded letter and digit runs: the engines' terms
_GAP_WORDS = r"[\W_]+"  # between two words of a phrase: spaces, punctuation
_GAP_RUNS = r"[\W_]*"  # between letters and digits of one word: `covid19`, `Covid-19`


def lead(text: str) -> str:
    """The opening of a letter, for hits without a matched word (browsing)."""
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > 0 else SNIPPET_CHARS] + " …"


def mark(fragment: str, byte_ranges: list[tuple[int, int]]) -> str:
    """Escape `fragment` and wrap the given UTF-8 byte ranges in <mark>."""
    raw = fragment.encode()
    merged: list[tuple[int, int]] = []
    for start, end in sorted(byte_ranges):
        # "68", "NQ", "CP" matched apart are one number: mark 68/NQ-CP as a whole.
        if merged and raw[merged[-1][1] : start].strip(b"/-") == b"" and start - merged[-1][1] <= 3:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    out, position = [], 0
    for start, end in merged:
        if start < position:
            continue
        out.append(html.escape(raw[position:start].decode(errors="replace")))
        out.append("<mark>" + html.escape(raw[start:end].decode(errors="replace")) + "</mark>")
        position = end
    out.append(html.escape(raw[position:].decode(errors="replace")))
    return "".join(out)


def mark_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """Escape `text` and wrap the given character spans (in order) in <mark>."""
    return mark(text, _byte_ranges(text, spans))


def _byte_ranges(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Character spans (in order) as UTF-8 byte ranges, counting each stretch once: linear
    in the text, however many matches (a 500 KB paragraph took 30 s counted from 0)."""
    ranges, chars, bytes_ = [], 0, 0
    for start, end in spans:
        if start < chars:
            continue
        bytes_ += len(text[chars:start].encode())
        length = len(text[start:end].encode())
        ranges.append((bytes_, bytes_ + length))
        chars, bytes_ = end, bytes_ + length
    return ranges


# --- where the query stands in a text --------------------------------------------------------


@lru_cache(maxsize=1)
def _spellings() -> dict[str, str]:
    """Each folded letter → every character that folds to it (both cases, every tone), so a
    folded word becomes a pattern matching it however it is accented: `d` → `[dDđĐ]`."""
    variants: dict[str, set[str]] = {}
    for code in [*range(0x41, 0x250), *range(0x1E00, 0x1F00)]:
        char = chr(code)
        folded = fold(char) if unicodedata.category(char).startswith("L") else ""
        if len(folded) == 1 and folded.isalpha():
            variants.setdefault(folded, set()).add(char)
    return {letter: "[" + "".join(sorted(chars)) + "]" for letter, chars in variants.items()}


def _run_pattern(run: str) -> str:
    spellings = _spellings()
    return "".join(spellings.get(char, re.escape(char)) for char in run)


def word_pattern(word: str) -> str | None:
    """A pattern for a word as the engines match it: folded, its letter and digit runs
    glued or apart (`covid19` matches `Covid-19`), not inside a longer word or number.
    Whether a letter stands before it is asked after its first character has matched (a
    look-behind at every position of the text made marking 7 times slower)."""
    runs = _TERM.findall(fold(word))
    if not runs:
        return None
    body = _GAP_RUNS.join(_run_pattern(run) for run in runs)
    first = _run_pattern(runs[0][0])
    before = r"(?<!\d.)" if runs[0].isdigit() else r"(?<![^\W\d_].)"
    after = r"(?!\d)" if runs[-1].isdigit() else r"(?![^\W\d_])"
    return first + before + body[len(first) :] + after


def _first_characters(words: Iterable[str]) -> str:
    """A look-ahead for the characters the words may start with: most positions of a text
    are rejected by it at once, before any alternative is tried."""
    starts = {run[0] for word in words for run in _TERM.findall(fold(word))[:1]}
    spelled = [_spellings().get(start, start).strip("[]") for start in starts]
    chars = "".join(sorted(set("".join(spelled))))
    return f"(?=[{re.escape(chars)}])" if chars else ""


def _phrase_pattern(words: Iterable[str]) -> str | None:
    parts = [p for p in (word_pattern(w) for w in words) if p]
    return _GAP_WORDS.join(parts) if parts else None


class Span(NamedTuple):
    """Where a query word, phrase or number stands in a text."""

    start: int
    end: int
    term: str  # which word or phrase of the query (folded), or a number's match key
    phrase: bool


class QueryMarks:
    """The spans of a text where a query's phrases, words (and the words the engine matched
    them to by a typo, `typo_words`) and document numbers stand."""

    def __init__(self, parsed: ParsedQuery, typo_words: Iterable[str] = ()) -> None:
        phrases = {" ".join(fold(w) for w in phrase): phrase for phrase in parsed.phrases}
        words = dict.fromkeys([*(fold(w) for w in parsed.words), *typo_words])
        alternatives = []
        for index, (name, phrase) in enumerate(sorted(phrases.items(), key=lambda p: -len(p[1]))):
            if pattern := _phrase_pattern(phrase):
                alternatives.append((f"p{index}", name, pattern))
        for index, word in enumerate(sorted(words, key=len, reverse=True)):
            if pattern := word_pattern(word):
                alternatives.append((f"w{index}", word, pattern))
        self._names = {group: name for group, name, _ in alternatives}
        starts = _first_characters([*(phrase[0] for phrase in phrases.values() if phrase), *words])
        either = "|".join(f"(?P<{group}>{pattern})" for group, _, pattern in alternatives)
        self._pattern = re.compile(f"{starts}(?:{either})") if alternatives else None
        self._numbers = {number.match_key for number in parsed.numbers}
        self._phrases = bool(phrases)
        # A snippet holding this many different terms can be bettered by none: stop there.
        self._enough = len(phrases) + len({fold(w) for w in parsed.words})

    @property
    def empty(self) -> bool:
        """Whether there is nothing of the query to mark."""
        return self._pattern is None and not self._numbers

    def spans(self, text: str) -> list[Span]:
        """Every span, in order of the text; overlapping ones are left to `mark`."""
        found = []
        if self._pattern is not None:
            names = self._names
            for match in self._pattern.finditer(text):
                group = match.lastgroup or ""
                found.append(Span(*match.span(), names[group], group[0] == "p"))
        if self._numbers:
            for number in find_numbers(text):
                keys = self._numbers.intersection(match_keys(number.text))
                if keys:
                    found.append(Span(number.start, number.end, min(keys), False))
        return sorted(found, key=lambda span: span.start)

    def highlight(self, text: str) -> str:
        """All of `text`, escaped, every span in <mark>."""
        return mark_spans(text, [(s.start, s.end) for s in self.spans(text)])

    def _snippet_spans(self, text: str) -> list[Span]:
        """The spans a snippet of `text` may need: all of them, but for plain words only
        those up to a stretch holding every word of the query and a snippet's length
        beyond (a frequent word occurs hundreds of times in a long letter)."""
        if self._pattern is None or self._numbers or self._phrases:
            return self.spans(text)
        found: list[Span] = []
        terms: Counter[str] = Counter()
        low, stop = 0, len(text)
        names = self._names
        for match in self._pattern.finditer(text):
            span = Span(*match.span(), names[match.lastgroup or ""], False)
            if span.start > stop:
                break
            found.append(span)
            terms[span.term] += 1
            while span.end - found[low].start > SNIPPET_CHARS:
                _forget(terms, found[low].term)
                low += 1
            if len(terms) >= self._enough and stop == len(text):
                stop = found[low].start + 2 * SNIPPET_CHARS
        return found

    def snippet_of(self, text: str) -> tuple[str, int]:
        """A snippet of `text` and the character its match stands at: about SNIPPET_CHARS around
        the query, marked, centred on a phrase of the query when the text holds one; the
        text's opening when the query is nowhere in it. Windows of SNIPPET_WINDOW are read
        in turn, so a match early in a long letter is found without reading the rest."""
        fallback: tuple[str, int] | None = None
        for start in range(0, len(text), SNIPPET_WINDOW) if not self.empty else ():
            window = text[start : start + SNIPPET_WINDOW + SNIPPET_CHARS]
            spans = self._snippet_spans(window)
            if spans and (not self._phrases or any(span.phrase for span in spans)):
                fragment, offset = _cut(window, spans)
                return fragment, start + offset
            if spans and fallback is None:
                fragment, offset = _cut(window, spans)
                fallback = fragment, start + offset
        return fallback or (html.escape(lead(text)), 0)


def _cut(text: str, spans: list[Span]) -> tuple[str, int]:
    """About SNIPPET_CHARS of `text` around the spans `_window` picks, cut at spaces,
    marked, and where the first of those spans stands (to tell the page of a scan)."""
    first, last = _window(spans)
    middle = (spans[first].start + spans[last].end) // 2
    start = max(0, middle - SNIPPET_CHARS // 2)
    if start:
        start = max(0, text.find(" ", start, spans[first].start) + 1) or spans[first].start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        cut = text.rfind(" ", spans[last].end, end)
        end = cut if cut > 0 else max(end, spans[last].end)
    before, after = ("… " if start else ""), (" …" if end < len(text) else "")
    shift = len(before) - start
    inside = [(s.start + shift, s.end + shift) for s in spans if s.start >= start and s.end <= end]
    return mark_spans(before + text[start:end] + after, inside), spans[first].start


def _window(spans: list[Span]) -> tuple[int, int]:
    """The first and last index of the spans a snippet shows: around the first phrase, or
    the stretch of SNIPPET_CHARS with most different terms (the earliest of equals)."""
    for index, span in enumerate(spans):
        if span.phrase:
            return index, index
    best, best_terms, low = (0, 0), 0, 0
    terms: Counter[str] = Counter()
    for high, span in enumerate(spans):
        terms[span.term] += 1
        while span.end - spans[low].start > SNIPPET_CHARS:
            _forget(terms, spans[low].term)
            low += 1
        if len(terms) > best_terms:
            best, best_terms = (low, high), len(terms)
    return best


def _forget(terms: Counter[str], term: str) -> None:
    """One occurrence of `term` out of a sliding window's count (gone at zero)."""
    terms[term] -= 1
    if not terms[term]:
        del terms[term]
