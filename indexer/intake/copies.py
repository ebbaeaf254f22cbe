"""Files that are one letter: a scan and the digital copy of it, or two scans of it.

Two files are copies of one letter when they bear the same number, issuer and date, or
when their texts are near-identical (a 64-bit SimHash of their folded word pairs within
`NEAR_BITS`) and nothing they state disagrees (two numbers, two dates). A scan's OCR slips
put its text further than that from its digital copy: a scan is joined by what it states.
Each group of copies is one letter in search, shown by its best copy (a digital text
before a scan, then the first archived); the others are listed on its page as "bản khác
của cùng văn bản".

The keys are written with each reading of a letter (`letter_keys`); a new file that seems
a copy of an archived letter is warned of (`archived_copy`). The groups are drawn again by
the follow-up (`indexer.followup.copies`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from functools import lru_cache
from itertools import pairwise

import numpy

from archive.catalog import Catalog, CopyKeys
from indexer.language.letter import Letter
from indexer.language.vietnamese import fold

NEAR_BITS = 3  # of 64: the texts differ in a few words at most (OCR slips, a stamp)
MIN_WORDS = 40  # shorter texts (a stamp, a cover page) are too alike to tell apart
_WORD_CHARS = 2


def text_fingerprint(text: str) -> int | None:
    """SimHash of the letter's folded word pairs (each weighted by its count), or None when
    the text is too short to tell one letter from another. Pairs, not single words: letters
    of one office share their words, and single words made different letters look alike
    (and made a catalog's near-candidates thousands)."""
    words = [w for w in map(_folded, text.lower().split()) if len(w) >= _WORD_CHARS and w.isalnum()]
    if len(words) < MIN_WORDS:
        return None
    pairs = Counter(f"{a} {b}" for a, b in pairwise(words))
    hashes = numpy.array([_word_hash(pair) for pair in pairs], dtype=numpy.uint64)
    counts = numpy.array(list(pairs.values()), dtype=numpy.int64)
    bits = (hashes[:, None] >> numpy.arange(64, dtype=numpy.uint64)) & numpy.uint64(1)
    weights = ((bits.astype(numpy.int64) * 2 - 1) * counts[:, None]).sum(axis=0)
    return sum(1 << bit for bit in numpy.flatnonzero(weights > 0).tolist())


@lru_cache(maxsize=200_000)
def _folded(word: str) -> str:
    """`fold`, remembered: a language's words recur, folding a whole text char by char
    took most of the time."""
    return fold(word)


@lru_cache(maxsize=200_000)
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


def letter_keys(letter: Letter, fingerprint: int | None) -> CopyKeys:
    """What copies of one letter share: its number, issuer and date (as held: with
    corrections) and its text's fingerprint."""
    return CopyKeys(
        number_key=letter.number_key,
        issuer=fold(letter.issuer) if letter.issuer else None,
        date=letter.date,
        fingerprint=fingerprint,
    )


STATED_ALIKE = "cùng số, cơ quan ban hành và ngày"
TEXT_ALIKE = "nội dung gần như trùng"


def why_same(a: CopyKeys, b: CopyKeys) -> str | None:
    """Why two files are one letter (see the module's rule), or None when they are not."""
    stated, theirs = (a.number_key, a.issuer, a.date), (b.number_key, b.issuer, b.date)
    if None not in stated and stated == theirs:
        return STATED_ALIKE
    if a.fingerprint is None or b.fingerprint is None:
        return None
    if (a.fingerprint ^ b.fingerprint).bit_count() > NEAR_BITS:
        return None
    return TEXT_ALIKE if agree(a, b) else None


def same_letter(a: CopyKeys, b: CopyKeys) -> bool:
    """Whether two files are copies of one letter (`why_same` says why)."""
    return why_same(a, b) is not None


def archived_copy(catalog: Catalog, document_id: int, keys: CopyKeys) -> tuple[int, str] | None:
    """An archived letter a new file seems a copy of, and why (Nghị định 30/2020, Phụ lục
    VI asks that the archivist be warned)."""
    found = sorted(
        (other, why)
        for other, theirs in catalog.copy_candidates(keys).items()
        if other != document_id and (why := why_same(keys, theirs))
    )
    return found[0] if found else None


def copy_warning(copy: tuple[int, str]) -> str:
    """The warning (in Vietnamese) that a new file may be a copy of an archived letter."""
    return f"cảnh báo: có thể là bản khác của văn bản #{copy[0]} ({copy[1]})"


def agree(a: CopyKeys, b: CopyKeys) -> bool:
    """Nothing the two state differs (an unknown value differs from nothing)."""
    stated, theirs = (a.number_key, a.issuer, a.date), (b.number_key, b.issuer, b.date)
    return all(x is None or y is None or x == y for x, y in zip(stated, theirs, strict=True))
