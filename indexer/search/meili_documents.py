"""What the Meilisearch engine sends: index settings, letters as chunk documents, filters,
query text and snippets. Pure functions, so the exact payloads can be tested without a
server (tests/test_meili_http.py) and read beside the Meilisearch API reference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from indexer.search import FACETS, MAX_FACET_VALUES, IndexDocument, SearchRequest
from indexer.search.query import TYPO_MIN_LETTERS, ParsedQuery, has_diacritics

# Meilisearch indexes 65,536 word positions per attribute and silently drops the rest; a
# word takes one position, four after a hard separator (v1.50: ".", line breaks…). A letter
# is one document unless its text would take more (a letter of 50,000 characters takes
# about 15,000): cut in pieces, a letter is found only by words all in one piece.
MAX_POSITIONS = 50_000  # of the estimate `positions`, which counts high
MAX_QUERY_TERMS = 10  # Meilisearch reads no further; a quoted phrase is one term
MAX_TOTAL_HITS = 1_000_000  # exact totals and deep paging for auditors' lists
FILTER_VALUE_BYTES = 400  # filterable values must stay under 468 bytes
NO_TWO_TYPOS = 255  # the largest word size Meilisearch takes: two typos never
_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]")


def _filterable(patterns: list[str], comparison: bool, facet_search: bool) -> dict[str, Any]:
    """One entry of the granular `filterableAttributes` form (Meilisearch ≥ 1.14)."""
    return {
        "attributePatterns": patterns,
        "features": {
            "facetSearch": facet_search,
            "filter": {"equality": True, "comparison": comparison},
        },
    }


def index_settings() -> dict[str, Any]:
    """The index settings, applied at start when they differ from the server's."""
    return {
        "searchableAttributes": ["subject", "meta", "text"],
        "displayedAttributes": [
            "id",
            "letter_id",
            "chunk",
            "hit",
            "pages",
            "text",
            "subject",
            "accented",
        ],
        "filterableAttributes": [
            _filterable(
                ["date", "month_first", "month_last", "chunk"], comparison=True, facet_search=False
            ),
            _filterable(list(FACETS), comparison=False, facet_search=True),
            _filterable(
                ["letter_id", "number_key", "reference_keys", "number_match", "reference_match"],
                comparison=False,
                facet_search=False,
            ),
        ],
        "sortableAttributes": ["sort_date"],
        # "sort" first: sorting by date is an order, not a tie-break after relevance.
        "rankingRules": ["sort", "words", "typo", "proximity", "attribute", "exactness"],
        # Letters split in pieces are shown once by a `distinct` search parameter, asked
        # only when some letter is (see MeiliEngine._distinct): the setting is slow.
        "distinctAttribute": None,
        # One typo in words of TYPO_MIN_LETTERS letters or more, as the embedded engine (a
        # typo in a short folded syllable usually spells another real one: "dich" → "dinh");
        # never two, never in numbers or in the metadata field holding document numbers.
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": TYPO_MIN_LETTERS, "twoTypos": NO_TWO_TYPOS},
            "disableOnAttributes": ["meta"],
            "disableOnNumbers": True,
        },
        "localizedAttributes": [
            {"attributePatterns": ["text", "subject", "meta"], "locales": ["vie"]}
        ],
        "faceting": {"maxValuesPerFacet": MAX_FACET_VALUES, "sortFacetValuesBy": {"*": "count"}},
        "pagination": {"maxTotalHits": MAX_TOTAL_HITS},
        "stopWords": [],
        # Whole words only, as the embedded engine: by default Meilisearch also reads the
        # query's last word as a prefix ("ma" finds "mang"), so it finds more letters.
        "prefixSearch": "disabled",
    }


# --- letters as documents ---------------------------------------------------------------------


def document_id(key: str, chunk: int) -> str:
    """`<sha-256 of the original>-<chunk>`: Meilisearch ids allow only A-Za-z0-9_- (< 512 B)."""
    return f"{_ID_SAFE.sub('_', key)[:64]}-{chunk}"


_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")
_MARK = re.compile(r"[^\w\s]|\n")  # every mark and line break, taken as a hard separator


def positions(text: str) -> int:
    """At least the word positions Meilisearch gives `text`: a word one, and three more
    for each mark or line break (whether or not the tokenizer deems it hard)."""
    return len(_WORD.findall(text)) + 3 * len(_MARK.findall(text))


def _fits(text: str, limit: int) -> bool:
    """Whether `text` takes at most `limit` positions; a character takes at most four
    (a mark), so a text of a quarter as many characters fits without counting."""
    return 4 * len(text) <= limit or positions(text) <= limit


def split_text(text: str, limit: int = MAX_POSITIONS, start: int = 0) -> list[tuple[int, str]]:
    """(start, piece) chunks of at most `limit` positions: the whole text if it fits, else
    halves cut at a paragraph, else a line, else a space near the middle (never in a
    word), each split again if still too long."""
    if _fits(text, limit) or len(text) < 2:
        return [(start, text)]
    middle, quarter = len(text) // 2, len(text) // 4
    cut = middle
    for separator in ("\n\n", "\n", " "):
        around = (text.rfind(separator, quarter, middle), text.find(separator, middle, -quarter))
        if found := [i for i in around if i > 0]:
            cut = min(found, key=lambda i: abs(i - middle))
            break
    return split_text(text[:cut], limit, start) + split_text(text[cut:], limit, start + cut)


def _page_marks(piece: str, start: int, page_starts: list[int]) -> list[list[int]]:
    """[byte offset in the chunk, page] for the pages of a scan a chunk holds; Meilisearch
    gives match positions in UTF-8 bytes."""
    marks = []
    for page, page_start in enumerate(page_starts, 1):
        if page_start <= start:
            marks = [[0, page]]
        elif page_start < start + len(piece):
            marks.append([len(piece[: page_start - start].encode()), page])
    return marks


def accented_words(text: str) -> str:
    """The distinct words of `text` that carry diacritics, lowercase: what the exact-accent
    bonus compares a query's accented words with (Meilisearch folds diacritics away).
    Stored and retrieved, never searched: searchable, they cost over a quarter of the
    indexing time (10,000 letters: 32 s against 23 s, Meilisearch v1.50)."""
    words = dict.fromkeys(map(accented_word, dict.fromkeys(_LETTERS.findall(text))))
    return " ".join(word for word in words if word)


@lru_cache(maxsize=1 << 16)  # a language's words are few: a rebuild looks at each once
def accented_word(word: str) -> str:
    """A word as `accented_words` holds it (lowercase), or "" when it has no diacritics:
    for a letter's words and a query's alike."""
    return word.lower() if has_diacritics(word) else ""


def _filter_value(value: str) -> str:
    return value.encode()[:FILTER_VALUE_BYTES].decode(errors="ignore")


def chunk_documents(item: IndexDocument) -> list[dict[str, Any]]:
    """One letter as Meilisearch documents: one, or a chunk each if too long, all sharing
    the letter's metadata, filters and facets (so any chunk can match any filter); searches
    are distinct on `letter_id` when some letter has several."""
    hit = item.hit
    page_starts = list(item.page_starts)
    subject = hit.get("subject") or ""
    month_first, month_last = item.month_span or (None, None)
    shared: dict[str, Any] = {
        "letter_id": item.id,
        "hit": hit,
        "subject": subject,
        "meta": item.searchable_meta,
        "number_key": item.number_key,
        "reference_keys": list(item.reference_keys),
        # What number queries match, whatever the separators (numbers.match_keys).
        "number_match": list(item.number_match_keys),
        "reference_match": list(item.reference_match_keys),
        "year": item.year,
        "date": item.date_int,
        "sort_date": item.sort_date,
        "month_first": month_first,
        "month_last": month_last,
        **{
            name: _filter_value(hit[name]) if hit.get(name) else None
            for name in FACETS
            if name != "year"
        },
    }
    documents = []
    for chunk, (start, piece) in enumerate(split_text(item.text)):
        documents.append(
            {
                "id": document_id(item.key, chunk),
                "chunk": chunk,
                "text": piece,
                "accented": accented_words(piece + "\n" + subject),
                "pages": _page_marks(piece, start, page_starts) if page_starts else None,
                **shared,
            }
        )
    return documents


def document_bodies(
    documents: Iterable[IndexDocument], chunks: dict[int, int], limit: int
) -> Iterator[bytes]:
    """Letters as NDJSON bodies of chunk documents (text as UTF-8, not escaped), each of at
    most `limit` bytes unless one letter takes more (a letter's chunks go in one body),
    noting each letter's chunk count in `chunks`."""
    lines: list[bytes] = []
    size = 0
    for item in documents:
        pieces = [json.dumps(piece, ensure_ascii=False).encode() for piece in chunk_documents(item)]
        chunks[item.id] = len(pieces)
        more = sum(len(piece) + 1 for piece in pieces)
        if lines and size + more > limit:
            yield b"\n".join(lines)
            lines, size = [], 0
        lines.extend(pieces)
        size += more
    if lines:
        yield b"\n".join(lines)


# --- queries ----------------------------------------------------------------------------------


def quote(value: str) -> str:
    """A filter string literal: in double quotes, backslash and quote escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _in(field: str, values: list[str]) -> str:
    return f"{field} IN [{', '.join(quote(v) for v in values)}]"


def number_filter(keys: list[str], bearers_only: bool = False) -> str:
    """Letters bearing the numbers (or citing them), by their match keys: whatever the
    separators, and whatever the words around."""
    if bearers_only:
        return _in("number_match", keys)
    return " AND ".join(
        f"(number_match = {quote(k)} OR reference_match = {quote(k)})" for k in keys
    )


def _dated_within(low: int, high: int) -> str:
    """Letters dated within [low, high], and those known only to a month wholly within."""
    return f"(date {low} TO {high} OR (month_first >= {low} AND month_last <= {high}))"


def filters(request: SearchRequest, parsed: ParsedQuery) -> list[str]:
    """The request's facet, citation and date filters and the query's numbers, AND-ed."""
    clauses = [f"{name} = {quote(_filter_value(value))}" for name, value in request.filters]
    clauses += [f"{name} IS NULL" for name in request.missing]  # stored as null when unknown
    if request.ref_key:
        clauses.append(f"reference_keys = {quote(request.ref_key)}")
    if request.date_span:
        clauses.append(_dated_within(*request.date_span))
    keys = [number.match_key for number in parsed.numbers]
    if keys:
        clauses.append(number_filter(keys))
    return clauses


def sort_by(request: SearchRequest) -> list[str] | None:
    """The `sort` search parameter: by date when the request is not by relevance."""
    if request.sort == "relevance":
        return None
    return ["sort_date:" + ("desc" if request.sort == "date_desc" else "asc")]


def query_text(parsed: ParsedQuery) -> str:
    """The words and quoted phrases as Meilisearch reads them (numbers are filters).

    Meilisearch reads only the first ten terms (a word, or a quoted phrase): a longer query
    keeps its phrases and the longest words (in their order), which are the rarest and so
    say most about a letter; the embedded engine requires every word, so it can only find
    fewer letters.
    """
    phrases = [f'"{" ".join(phrase)}"' for phrase in parsed.phrases]
    room = max(0, MAX_QUERY_TERMS - len(phrases))
    words = list(parsed.words)
    if len(words) > room:
        kept = set(sorted(range(len(words)), key=lambda i: -len(words[i]))[:room])
        words = [word for i, word in enumerate(words) if i in kept]
    return " ".join([*phrases, *words])
