"""What the interface calls things, in Vietnamese (fields and facets: `indexer.language.letter`),
and how it writes times."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    VIETNAM: timezone | ZoneInfo = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # no tz database (a slim image): UTC+7 has held since 1975
    VIETNAM = timezone(timedelta(hours=7), "ICT")
ZONE = "giờ Việt Nam, UTC+7"  # said wherever times are shown

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
    "disk_full": "đĩa đầy",
    "index_unreadable": "chỉ mục không đọc được",
    "repair_failed": "không sửa được",
}
SORT_LABELS = {"relevance": "Liên quan nhất", "date_desc": "Mới nhất", "date_asc": "Cũ nhất"}
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


def vietnam_time(stamp: str | None) -> str:
    """A catalog timestamp (ISO, UTC) as read in Vietnam: "06/11/2021 14:05:09"."""
    if not stamp:
        return ""
    moment = datetime.fromisoformat(stamp)
    if moment.tzinfo is None:  # the catalog writes UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S")


def first_words(snippet: str, count: int = 14) -> str:
    """A title for a letter without number or subject: the opening words of its snippet
    (HTML), past the header's capitals (issuer, motto), which many letters share."""
    words = html.unescape(re.sub(r"<[^>]+>", "", snippet)).split()
    start = 0
    while start < len(words) and (
        words[start].isupper() or not any(map(str.isalpha, words[start]))
    ):
        start += 1
    body = words[start:] or words
    return " ".join(body[:count]) + ("…" if len(body) > count else "")
