"""The outer layer: the Flask application (HTML pages and their JSON twins) and the CLI.

Imports `archive` and `indexer` (the engine interface, the ingestion pipeline and the
indexing path); nothing imports `web`.
"""
