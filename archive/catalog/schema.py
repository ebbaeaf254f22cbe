"""The catalog's tables: the one schema every connection applies."""

from __future__ import annotations

import zlib

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    filename TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE REFERENCES files(sha256),
    status TEXT NOT NULL CHECK (status IN ('ready', 'needs_ocr')),
    status_message TEXT,
    extraction TEXT NOT NULL,
    pages INTEGER,
    text TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    archive_inferred TEXT NOT NULL DEFAULT '{}',
    number_key TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_number_key ON documents(number_key);
-- The review desk's queue: only letters with a field left for a person to read.
CREATE INDEX IF NOT EXISTS documents_to_review ON documents(id)
    WHERE json_extract(metadata, '$.review') != '{}';
-- The letters bearing a number but no date, which the issuer's register may bound.
CREATE INDEX IF NOT EXISTS documents_undated ON documents(number_key)
    WHERE number_key IS NOT NULL AND json_extract(metadata, '$.date') IS NULL;
-- The numbers an unsure reading of a letter's handwritten number offers (a number query
-- also finds the letter, after the letters bearing and citing the number).
CREATE TABLE IF NOT EXISTS number_candidates (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    number_key TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (document_id, number_key)
);
CREATE INDEX IF NOT EXISTS number_candidates_key ON number_candidates(number_key, score);
CREATE TABLE IF NOT EXISTS citations (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    relation TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (document_id, position)
);
-- Covering: who cites a number, letter by letter, without reading the rows (cited-by
-- counts and lists: 126 ms → 10 ms for a number cited by 32,763 of 100,000 letters).
CREATE INDEX IF NOT EXISTS citations_cited_by ON citations(number_key, document_id, relation);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    author TEXT NOT NULL,
    corrected_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_document ON corrections(document_id, field);
CREATE TRIGGER IF NOT EXISTS corrections_append_only_update
    BEFORE UPDATE ON corrections BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
CREATE TRIGGER IF NOT EXISTS corrections_append_only_delete
    BEFORE DELETE ON corrections BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
CREATE TABLE IF NOT EXISTS pages (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    page INTEGER NOT NULL,
    text TEXT NOT NULL,
    confidence REAL,
    method TEXT NOT NULL,
    recognised_at TEXT NOT NULL,
    reason TEXT,
    layout BLOB,
    PRIMARY KEY (document_id, page)
);
CREATE TABLE IF NOT EXISTS index_queue (
    document_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    enqueued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
-- Signed-in sessions: the cookie holds the token; signing out or a new password ends them.
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    created_at TEXT NOT NULL
);
-- Who opened which original, and when (Nghị định 30/2020 Phụ lục VI): append-only.
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    who TEXT,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_document ON access_log (document_id, id);
CREATE TRIGGER IF NOT EXISTS access_log_kept BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_log_never_deleted BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
-- Letters added, re-read or corrected since the archive-wide inference last saw them,
-- written with the change itself, so no crash can skip the inference they need.
CREATE TABLE IF NOT EXISTS inference_queue (
    document_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1
);
-- Each letter's signer (name and title, folded) when the inference last saw it: a change
-- re-infers only the letters of its old and new signer, not the whole archive.
CREATE TABLE IF NOT EXISTS signer_keys (
    document_id INTEGER PRIMARY KEY,
    signer_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signer_keys_key ON signer_keys (signer_key);
-- What copies of one letter share (number, issuer and date; a fingerprint of the text,
-- also cut into four 16-bit bands to find near ones by index), and the letter each file
-- is a copy of: its group's best copy (itself when alone), the one search shows.
CREATE TABLE IF NOT EXISTS copy_keys (
    document_id INTEGER PRIMARY KEY,
    number_key TEXT,
    issuer TEXT,
    date TEXT,
    fingerprint INTEGER,
    band0 INTEGER, band1 INTEGER, band2 INTEGER, band3 INTEGER,
    letter_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS copy_keys_stated ON copy_keys (number_key, issuer, date);
CREATE INDEX IF NOT EXISTS copy_keys_band0 ON copy_keys (band0);
CREATE INDEX IF NOT EXISTS copy_keys_band1 ON copy_keys (band1);
CREATE INDEX IF NOT EXISTS copy_keys_band2 ON copy_keys (band2);
CREATE INDEX IF NOT EXISTS copy_keys_band3 ON copy_keys (band3);
CREATE INDEX IF NOT EXISTS copy_keys_letter ON copy_keys (letter_id);
-- Flags of one-time migrations.
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- Wrong passwords, for throttling guesses (by account and by address).
CREATE TABLE IF NOT EXISTS login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures (at);
CREATE INDEX IF NOT EXISTS login_failures_pair ON login_failures (username, address, at);
-- Where each account last signed in from: while its account is under attack from many
-- places, its owner still gets in from a known one.
CREATE TABLE IF NOT EXISTS known_addresses (
    username TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE TABLE IF NOT EXISTS ingest_log (
    id INTEGER PRIMARY KEY,
    logged_at TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    document_id INTEGER
);
"""


# A number's runs of letters and digits joined by dots, from its key (`1245-cv/tu` →
# `1245.cv.tu`): numbers typed with their separators swapped are found by it (indexed).
LOOSE = "replace(replace(number_key, '-', '.'), '/', '.')"

# What a catalog records it was made with (`PRAGMA user_version`): a connection applies the
# schema and the migrations (`Connection._migrate`) only to a catalog of another version.
# It follows the schema's text; MIGRATIONS counts changes to `_migrate` alone.
MIGRATIONS = 1
SCHEMA_VERSION = (zlib.crc32(SCHEMA.encode()) + MIGRATIONS) % 2**31
