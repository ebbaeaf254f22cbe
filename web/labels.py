"""What the interface calls things, in Vietnamese: one place for every page and export."""

from __future__ import annotations

FIELD_LABELS = {
    "number": "Số, ký hiệu",
    "doc_type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "issuer_body": "Cấp cơ quan",
    "province": "Tỉnh, thành",
    "place": "Nơi ban hành",
    "date": "Ngày ban hành",
    "date_not_before": "Không sớm hơn ngày",
    "subject": "Trích yếu",
    "authority": "Thẩm quyền ký",
    "signer_title": "Chức vụ người ký",
    "signer": "Người ký",
    "references": "Văn bản trích dẫn",
    "recipients": "Kính gửi",
    "distribution": "Nơi nhận",
}
FACET_LABELS = {
    "province": "Tỉnh, thành",
    "issuer": "Cơ quan ban hành",
    "doc_type": "Loại văn bản",
    "year": "Năm",
    "signer": "Người ký",
}
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
