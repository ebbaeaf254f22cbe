"""The letter, typed: its fields as the one field table lists them, its citations, and where
each value came from (provenance) kept apart from the values themselves.

The reader (`indexer.letter.metadata`) makes a `Letter`; the catalog stores it as JSON and
hands it back as held, archive inference and corrections laid over it
(`archive.catalog.letter`); the index and the pages read it. Only the catalog converts it
to and from JSON. tests/test_fields.py holds the dataclass to the field table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from indexer.language.numbers import DocumentNumber


@dataclass(frozen=True)
class Source:
    """Where a value was read: the page, and how that page was read."""

    page: int
    method: str  # "pdf:text-layer", "ocr:tesseract-vie", "docx", …


@dataclass(frozen=True)
class Inferred:
    """Why a value the letter does not state was filled in: the words it rests on, and the
    other letter when the archive inferred it from one."""

    evidence: str
    document_id: int | None = None  # another archived letter (archive-wide inference)

    @property
    def from_archive(self) -> bool:
        """Whether another letter of the archive, not this one's text, suggested it."""
        return self.document_id is not None


@dataclass(frozen=True)
class Provenance:
    """Per field: where its value was read, why a person should look at it, and the
    evidence of a value inferred rather than read."""

    sources: Mapping[str, Source] = field(default_factory=dict)
    review: Mapping[str, str] = field(default_factory=dict)
    inferred: Mapping[str, Inferred] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """A document the letter cites: its number, the relation (basis, follows_up,
    implements, mentions) and what the text says of it (type word, date, issuer)."""

    number: DocumentNumber
    relation: str = "mentions"
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def number_key(self) -> str:
        """The cited number's comparison key (`numbers.number_key`)."""
        return self.number.key


@dataclass(frozen=True)
class Letter:
    """One letter's metadata. The first fields are the field table's, in its order (names
    and kinds: tests/test_fields.py); then provenance and what the reading keeps besides."""

    number: DocumentNumber | None = None
    doc_type: str | None = None
    issuer: str | None = None
    issuer_body: str | None = None
    province: str | None = None
    place: str | None = None
    date: str | None = None  # ISO 8601
    date_not_before: str | None = None  # a lower bound when the date is not known
    subject: str | None = None
    authority: str | None = None
    signer_title: str | None = None
    signer: str | None = None
    references: tuple[DocumentNumber, ...] = ()
    recipients: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)
    central: bool = False  # the issuer is a central body: it has no province
    # Signing certificates of the file's signature fields (who, for whom, when, page).
    signatures: tuple[Mapping[str, Any], ...] = ()
    page_starts: tuple[int, ...] | None = None  # a recognised scan: where each page's text begins

    @property
    def inferred(self) -> Mapping[str, Inferred]:
        """The fields filled in from evidence rather than read, with that evidence."""
        return self.provenance.inferred

    @property
    def number_key(self) -> str | None:
        """The number's comparison key, None without a number."""
        return self.number.key if self.number else None
