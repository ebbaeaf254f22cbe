"""User query text → what to look for, shared by every engine.

Any input is accepted: quotes, parentheses, operators and emoji are either understood or
treated as plain characters, so no query can fail. Document numbers are recognised (also
typed loosely: `1245 CV TU`, `NQ68`) and searched whatever their separators; quoted text
is a phrase; everything else is a word. Words of TYPO_MIN_LETTERS letters or more may be
matched with one typo when exact matching finds few letters (see the engines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.language.numbers import DocumentNumber, find_numbers, find_typed_numbers
from indexer.language.vietnamese import clean, fold

MAX_QUERY_CHARS = 2000
MAX_WORDS = 64
WORD = re.compile(r"[^\W_]+")  # a word as queries (and highlights) read it
_PHRASE = re.compile(r'"([^"]*)"')
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
# Folded Vietnamese syllables are short, and a typo in a short one usually spells another
# real syllable ("dich" → "dinh"): only longer words are matched with a typo.
TYPO_MIN_LETTERS = 5


def has_diacritics(word: str) -> bool:
    """Whether a word is typed with diacritics (or đ), i.e. differs from its folded form."""
    return fold(word) != word.lower()


@dataclass(frozen=True)
class ParsedQuery:
    """A query as typed, split into words, quoted phrases and document numbers."""

    words: tuple[str, ...]  # cleaned words, diacritics as typed
    phrases: tuple[tuple[str, ...], ...]
    numbers: tuple[DocumentNumber, ...]

    @property
    def empty(self) -> bool:
        """Whether the query asks for nothing (browsing)."""
        return not (self.words or self.phrases or self.numbers)

    @property
    def has_diacritics(self) -> bool:
        """Whether some word is typed with diacritics (exact accents then rank first)."""
        return any(map(has_diacritics, self.words))


def typo_tolerant(word: str) -> bool:
    """Whether a query word may match with one typo: letters only, TYPO_MIN_LETTERS or more
    (counted on the folded form, so a wrong accent is no typo and costs nothing)."""
    folded = fold(word)
    return folded.isalpha() and len(folded) >= TYPO_MIN_LETTERS


_RUN = re.compile(r"[a-z]+|\d+")


def glued_runs(word: str) -> list[str]:
    """The letter and digit runs of a word gluing both (`covid19` → covid, 19; `H5N1`),
    folded; [] for a word of letters or digits alone. Letters may write such a word glued
    or apart (`Covid-19`, `covid 19`), and each form must find the others."""
    runs = _RUN.findall(fold(word))
    return runs if len(runs) > 1 else []


def may_be_glued(first: str, second: str) -> bool:
    """Whether two query words, letters then digits or digits then letters (`covid 19`),
    may stand glued in a letter (`covid19`)."""
    a, b = fold(first), fold(second)
    return (a.isalpha() and b.isdigit()) or (a.isdigit() and b.isalpha())


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in _OPERATORS]


def bounded_query(q: str) -> str:
    """The query as read: its first MAX_QUERY_CHARS characters, trimmed (the one cut)."""
    return q[:MAX_QUERY_CHARS].strip()


def parse_query(q: str) -> ParsedQuery:
    """Split a query into document numbers, quoted phrases and words (`SearchRequest.parsed`
    is the one caller: a request is parsed once)."""
    text = clean(bounded_query(q)).replace("\n", " ")
    # Numbers are typed in any case ("68/nq-cp"); their keys ignore case and accents.
    upper = text.upper()
    numbers = find_numbers(upper if len(upper) == len(text) else text)
    text = _without(text, numbers)
    typed = find_typed_numbers(_PHRASE.sub(lambda m: " " * len(m.group()), text))
    text = _without(text, typed)
    numbers = sorted([*numbers, *typed], key=lambda number: number.start)
    phrases = [tuple(_words(p)) for p in _PHRASE.findall(text)]
    words = _words(_PHRASE.sub(" ", text))
    return ParsedQuery(
        words=tuple(words[:MAX_WORDS]),
        phrases=tuple(p for p in phrases if p)[:8],
        numbers=tuple(numbers[:8]),
    )


def _without(text: str, numbers: list[DocumentNumber]) -> str:
    """`text` with the numbers blanked out, every other character in its place."""
    for number in reversed(numbers):
        text = text[: number.start] + " " * (number.end - number.start) + text[number.end :]
    return text
