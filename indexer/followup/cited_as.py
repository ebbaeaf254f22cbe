"""Evidence from the letters that cite one: a scan whose handwritten number stayed unsure, or
whose date stayed unknown, is often named by later letters of the archive, a reply above
all ("Trả lời Công văn số 753/KH-DCT ngày 23/6/2026 của Trường Đại học …").

- An unsure number: a reading among its candidates that another letter cites with the
  letter's own date (or a date in its month, or one of its date readings), and with its
  issuer when the citation names one, is the number, when exactly one candidate is so
  cited. Two candidates so cited: nothing is taken (the sources disagree).
- An unknown date: the date other letters give when they cite the letter's number with its
  issuer, when they all give one date, it fits what the letter says of itself (its month,
  not before the latest date it cites) and no citing letter is older than it; the letter
  must be the only one of the archive bearing that number (numbering restarts each year).

Each value carries its evidence: the citing letter and its words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from archive.catalog import Catalog
from indexer.language.issuers import issuer_words
from indexer.language.letter import Citation, Letter
from indexer.language.numbers import held_number


def own_value(letter: Letter, name: str) -> Any:
    """The letter's value of a field as it says it itself (read, inferred from its own text,
    or corrected), not one this archive-wide step gave it from another letter."""
    why = letter.inferred.get(name)
    return None if why is not None and why.from_archive else getattr(letter, name)


def same_issuer(cited: str | None, issuer: str | None) -> bool:
    """Whether a citation's issuer ("của …") names the letter's issuer: one holds the other,
    accents, case and abbreviations ("UBND", "TP.") aside."""
    if not cited or not issuer:
        return False
    a, b = issuer_words(cited), issuer_words(issuer)
    return bool(a and b) and (f" {a} " in f" {b} " or f" {b} " in f" {a} ")


def _dates_of(letter: Letter) -> set[str]:
    """The dates the letter may bear: its own, else its date readings."""
    own = own_value(letter, "date")
    if own:
        return {own}
    return {value for value, _ in letter.provenance.candidates.get("date", ())}


def _fits(cited_date: str, letter: Letter) -> bool:
    """Whether a date a citation gives fits the letter: on its own date or one of its date
    readings, else in its month."""
    dates = _dates_of(letter)
    if dates:
        return cited_date in dates
    month = letter.date_month
    return bool(month) and cited_date.startswith(f"{month}-")


def _words(citation: Citation) -> str:
    details = citation.details
    words = f"{details.get('type_word', 'Văn bản')} số {citation.number.text}"
    if details.get("date"):
        year, month, day = details["date"].split("-")
        words += f" ngày {day}/{month}/{year}"
    return words + (f" của {details['issuer']}" if details.get("issuer") else "")


def _citing(
    catalog: Catalog, number_key: str, letter_id: int
) -> Iterable[tuple[int, Letter, Citation]]:
    """The other letters citing a number: (id, letter as held, its first such citation)."""
    ids = [i for i, _ in catalog.documents_citing(number_key) if i != letter_id]
    if not ids:
        return []
    letters = catalog.letters(ids)
    named = catalog.citations_naming(number_key, ids)
    return [(i, letters[i], named[i]) for i in ids if i in named and i in letters]


def _evidence(citing_id: int, citing: Letter, citation: Citation) -> tuple[str, int]:
    named = citing.number.text if citing.number else f"văn bản #{citing_id}"
    return f"{named} trích dẫn “{_words(citation)}”", citing_id


def _number(catalog: Catalog, letter_id: int, letter: Letter) -> dict[str, Any] | None:
    readings = [value for value, _ in letter.provenance.candidates.get("number", ())]
    confirmed: dict[str, tuple[str, int]] = {}
    for text in readings:
        for citing_id, citing, citation in _citing(catalog, held_number(text).key, letter_id):
            cited_date = citation.details.get("date")
            issuer = citation.details.get("issuer")
            if not cited_date or not _fits(cited_date, letter):
                continue
            if issuer is not None and not same_issuer(issuer, letter.issuer):
                continue
            confirmed.setdefault(text, _evidence(citing_id, citing, citation))
    if len(confirmed) != 1:
        return None
    ((text, (evidence, source_id)),) = confirmed.items()
    return {"value": text, "evidence": evidence, "document_id": source_id}


def _date(catalog: Catalog, letter_id: int, letter: Letter, number: str) -> dict[str, Any] | None:
    key = held_number(number).key
    if [i for i in catalog.documents_numbered(key) if i != letter_id]:
        return None  # another letter bears the number: whose date would it be?
    given: dict[str, tuple[str, int]] = {}
    for citing_id, citing, citation in _citing(catalog, key, letter_id):
        cited_date = citation.details.get("date")
        if not cited_date or not same_issuer(citation.details.get("issuer"), letter.issuer):
            continue
        if citing.date and citing.date < cited_date:
            return None  # a letter cites it before it was written: not this letter
        given.setdefault(cited_date, _evidence(citing_id, citing, citation))
    if len(given) != 1:
        return None
    ((cited_date, (evidence, source_id)),) = given.items()
    month, floor = letter.date_month, letter.date_not_before
    if (month and not cited_date.startswith(f"{month}-")) or (floor and cited_date < floor):
        return None
    return {"value": cited_date, "evidence": evidence, "document_id": source_id}


def from_citations(catalog: Catalog, letter_id: int, letter: Letter) -> dict[str, Any]:
    """What the letters citing this one say of its unknown number and date."""
    found: dict[str, Any] = {}
    number = own_value(letter, "number")
    if number is None:
        inferred = _number(catalog, letter_id, letter)
        if inferred:
            found["number"] = inferred
    number_text = number.text if number is not None else found.get("number", {}).get("value")
    if own_value(letter, "date") is None and number_text:
        dated = _date(catalog, letter_id, letter, number_text)
        if dated:
            found["date"] = dated
    return found


def cited_letters(catalog: Catalog, letters: dict[int, Letter]) -> set[int]:
    """The letters whose evidence from citations may change with these letters: the ones
    they cite (as bearers of the number, or with it among their unsure readings)."""
    related: set[int] = set()
    for letter_id in letters:
        for citation in catalog.citations_of(letter_id):
            key = citation.number_key
            related.update(catalog.documents_numbered(key))
            related.update(i for i, _ in catalog.documents_maybe_numbered(key))
    return related - set(letters)
