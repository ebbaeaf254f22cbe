"""Taking a file into the archive.

Enters: paths of files (or an uploaded file), and archived scans waiting for OCR. Leaves:
originals stored, and a catalogued letter per file (its pages, metadata, citations, copy
keys), each change queued for the follow-up and the index in the same transaction; a
one-line outcome per file.
"""
