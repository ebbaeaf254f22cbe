"""Typos: the words one edit away from a query word, and the corrected query offered when a
search finds few letters ("Có phải bạn muốn tìm: …"). Shared by the engines; each finds the
corrections in its own index (the embedded engine in its vocabulary, Meilisearch in the
words it matched).
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from indexer.language.vietnamese import fold
from indexer.search.query import ParsedQuery, has_diacritics, typo_tolerant
from indexer.search.snippets import word_pattern

# Fewer letters than this found by exact matching: the embedded engine adds letters matched
# with a typo, and a corrected query is suggested.
FEW_RESULTS = 5
# A word of this many letters that the archive does not hold may be corrected in a
# suggestion (matching with a typo needs TYPO_MIN_LETTERS): "chốg" → "chống".
SUGGEST_MIN_LETTERS = 4
_LETTERS = string.ascii_lowercase  # folded words are ASCII


def one_edit(word: str) -> set[str]:
    """Every folded word one edit from `word`: a letter left out, swapped with the next,
    replaced or added (what Meilisearch counts as one typo)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deleted = {a + b[1:] for a, b in splits if b}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaced = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    added = {a + c + b for a, b in splits for c in _LETTERS}
    return (deleted | swapped | replaced | added) - {word, ""}


def within_one_edit(word: str, other: str) -> bool:
    """Whether two folded words differ by one edit at most (without listing the edits)."""
    if abs(len(word) - len(other)) > 1:
        return False
    if len(word) > len(other):
        word, other = other, word
    for i, (a, b) in enumerate(zip(word, other, strict=False)):
        if a == b:
            continue
        if len(word) < len(other):
            return word[i:] == other[i + 1 :]
        replaced = word[i + 1 :] == other[i + 1 :]
        swapped = word[i + 1 : i + 2] == b and other[i + 1 : i + 2] == a
        return replaced or (swapped and word[i + 2 :] == other[i + 2 :])
    return True


def near_words(
    parsed: ParsedQuery,
    frequency: Callable[[str], int],
    neighbours: Callable[[str], Iterable[str]],
    admits: Callable[[str], bool] = typo_tolerant,
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """For each query word `admits`, by folded word: the archive's words one typo away
    (`neighbours` that the archive holds, by `frequency`), most frequent first, which only
    a `typo_tolerant` word may match; and for a word the archive never holds as typed, the
    correction to suggest, its most frequent neighbour."""
    typos: dict[str, tuple[str, ...]] = {}
    corrections: dict[str, str] = {}
    for word in parsed.words:
        folded = fold(word)
        if folded in typos or not admits(word):
            continue
        found = sorted(((n, w) for w in neighbours(folded) if (n := frequency(w))), reverse=True)
        typos[folded] = tuple(w for _, w in found) if typo_tolerant(word) else ()
        if found and not frequency(folded):
            corrections[folded] = found[0][1]
    return typos, corrections


def matched_typos(
    parsed: ParsedQuery, matched: Iterable[str]
) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """`near_words` among the folded words an engine matched (Meilisearch, which reports
    no vocabulary), counted: a word's neighbours are the matched words one edit away."""
    seen = Counter(matched)

    def neighbours(word: str) -> list[str]:
        return [w for w in seen if w != word and within_one_edit(word, w)]

    return near_words(parsed, seen.__getitem__, neighbours)


def correctable(word: str) -> bool:
    """Whether a query word may be corrected in a suggestion: letters only, long enough."""
    folded = fold(word)
    return folded.isalpha() and len(folded) >= SUGGEST_MIN_LETTERS


def suggestion(
    q: str, parsed: ParsedQuery, corrections: Mapping[str, str], texts: Iterable[str]
) -> str | None:
    """`q` with each word the archive lacks replaced by its correction (folded query word →
    folded word of the archive), spelled as the letters in `texts` spell it most often when
    the word was typed with diacritics; None when nothing is corrected."""
    replacements: dict[str, str] = {}
    for word in parsed.words:
        correction = corrections.get(fold(word))
        if correction is None:
            continue
        replacements[word] = _spelling(correction, texts) if has_diacritics(word) else correction
    if not replacements:
        return None
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, replacements)) + r")(?!\w)")
    suggested = pattern.sub(lambda match: replacements[match.group(1)], q.strip())
    return suggested if suggested != q.strip() else None


def _spelling(folded: str, texts: Iterable[str]) -> str:
    """The spelling of a folded word most common in `texts` (lowercase), else the word."""
    pattern = re.compile(word_pattern(folded) or re.escape(folded))
    spellings = Counter(m.group().lower() for text in texts for m in pattern.finditer(text))
    return spellings.most_common(1)[0][0] if spellings else folded
