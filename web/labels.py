"""What the interface calls things, in Vietnamese (fields and facets: `indexer.fields`)."""

from __future__ import annotations

RELATION_LABELS = {
    "basis": "căn cứ",
    "implements": "thực hiện",
    "follows_up": "tiếp theo",
    "mentions": "nhắc đến",
}
CHECK_LABELS = {  # what `congvan check` found
    "catalog_integrity": "danh mục hỏng",
    "original_missing": "thiếu bản gốc",
    "original_changed": "bản gốc bị thay đổi",
    "orphan_original": "bản gốc thừa",
    "leftover_temp": "tệp tạm còn sót",
    "not_indexed": "chưa có trong chỉ mục",
    "index_without_letter": "chỉ mục thừa",
}
SORT_LABELS = {"relevance": "Liên quan nhất", "date_desc": "Mới nhất", "date_asc": "Cũ nhất"}
OUTCOME_LABELS = {
    "archived": "đã lưu trữ",
    "needs_ocr": "cần OCR",
    "duplicate": "đã có trong kho",
    "failed": "lỗi",
}
# How a page was read (`pages[].method`, `sources[field].method`), by its first part.
READ_BY = {
    "pdf:text-layer+signature-field": "lớp chữ PDF và ô chữ ký số",
    "pdf": "lớp chữ PDF",
    "ocr": "nhận dạng chữ (OCR)",
    "docx": "tệp Word",
    "doc": "tệp Word 97–2003",
    "rtf": "tệp RTF",
    "odt": "tệp OpenDocument",
    "txt": "tệp văn bản",
}


def read_by(method: str) -> str:
    """`ocr:tesseract-vie` → "nhận dạng chữ (OCR)": the longest known start of the method."""
    starts = [key for key in READ_BY if method.startswith(key)]
    return READ_BY[max(starts, key=len)] if starts else method
