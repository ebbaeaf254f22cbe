"""What the interface calls things, in Vietnamese (fields and facets: `indexer.fields`)."""

from __future__ import annotations

RELATION_LABELS = {
    "basis": "căn cứ",
    "implements": "thực hiện",
    "follows_up": "tiếp theo",
    "mentions": "nhắc đến",
}
SORT_LABELS = {"relevance": "Liên quan nhất", "date_desc": "Mới nhất", "date_asc": "Cũ nhất"}
OUTCOME_LABELS = {
    "archived": "đã lưu trữ",
    "needs_ocr": "cần OCR",
    "duplicate": "đã có trong kho",
    "failed": "lỗi",
}
