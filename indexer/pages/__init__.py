"""Reading a file into pages with positions.

Enters: the bytes of one original (text, PDF, Word, image, scan). Leaves: an `Extraction`,
each page's text with its lines and word boxes (`layout`), how and why it was read (text
layer or OCR), signing certificates; or an `ExtractionError` with a one-line reason.
Nothing here reads a letter's metadata or touches the catalog.
"""
