"""The archive: originals stored once by SHA-256, and the SQLite catalog (source of truth).

Depends on nothing else in this project.
"""
