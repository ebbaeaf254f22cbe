"""The language of letters: Vietnamese text and the archive's vocabulary.

Enters: strings (a letter's text, a query, a corrected value). Leaves: cleaned and folded
text (`vietnamese`), document numbers and dates (`numbers`, `dates`), places, issuers and
signature marks, and the one field table (`fields`). Imports nothing of the indexer's other
stages: every stage, and the engines' query side, speaks through it.
"""
