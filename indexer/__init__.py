"""The indexer: extraction, Vietnamese normalization, metadata and citations, search engines.

Imports `archive`; never imported by it.
"""
