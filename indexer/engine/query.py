"""User query text → what to look for, shared by every engine.

Any input is accepted: quotes, parentheses, operators and emoji are either understood or
treated as plain characters, so no query can fail. Document numbers are recognised and
searched exactly; quoted text is a phrase; everything else is a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.numbers import DocumentNumber, find_numbers
from indexer.vietnamese import clean, fold

MAX_QUERY_CHARS = 2000
MAX_WORDS = 64
WORD = re.compile(r"[^\W_]+")  # a word as queries (and highlights) read it
_PHRASE = re.compile(r'"([^"]*)"')
_OPERATORS = {"AND", "OR", "NOT", "NEAR"}


def has_diacritics(word: str) -> bool:
    """Whether a word is typed with diacritics (or đ), i.e. differs from its folded form."""
    return fold(word) != word.lower()


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...]  # cleaned words, diacritics as typed
    phrases: tuple[tuple[str, ...], ...]
    numbers: tuple[DocumentNumber, ...]

    @property
    def empty(self) -> bool:
        return not (self.words or self.phrases or self.numbers)

    @property
    def has_diacritics(self) -> bool:
        return any(map(has_diacritics, self.words))


def _words(text: str) -> list[str]:
    return [w for w in WORD.findall(text) if w not in _OPERATORS]


def parse_query(q: str) -> ParsedQuery:
    """Split a query into document numbers, quoted phrases and words."""
    text = clean(q[:MAX_QUERY_CHARS]).replace("\n", " ")
    # Numbers are typed in any case ("68/nq-cp"); their keys ignore case and accents.
    upper = text.upper()
    numbers = find_numbers(upper if len(upper) == len(text) else text)
    for number in reversed(numbers):
        text = text[: number.start] + " " + text[number.end :]
    phrases = [tuple(_words(p)) for p in _PHRASE.findall(text)]
    words = _words(_PHRASE.sub(" ", text))
    return ParsedQuery(
        words=tuple(words[:MAX_WORDS]),
        phrases=tuple(p for p in phrases if p)[:8],
        numbers=tuple(numbers[:8]),
    )
