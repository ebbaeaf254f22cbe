"""The one vocabulary of document types: each type's code, its name, the heading a letter
prints for it, and how the number grammar knows it.

The codes are those of both grammars (Hướng dẫn 36-HD/VPTW, Nghị định 30/2020/NĐ-CP Phụ
lục III). Everything else about types derives from the table below: the choices of the
`doc_type` field and the names screens show beside a code (`fields`), the type codes of a
number (`numbers`), the type names the reader recognises in a header (`letter.metadata`)
and the type words of colloquial citations (`letter.citations`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocType:
    """One document type: its code, its name, and how letters and numbers write it."""
    code: str
    name: str  # as screens show it beside the code
    heading: str | None = None  # the type name as a letter's header prints it, when read
    number_code: bool = True  # a type code of numbers (the grammar and OCR repair know it)
    party_only: bool = False  # its heading names a Party type only (HD 36-HD/VPTW)


# Most used first: the order of the `doc_type` choices.
TYPES = (
    DocType("CV", "Công văn", "CÔNG VĂN"),
    DocType("TB", "Thông báo", "THÔNG BÁO"),
    DocType("KH", "Kế hoạch", "KẾ HOẠCH"),
    DocType("QĐ", "Quyết định", "QUYẾT ĐỊNH"),
    DocType("CT", "Chỉ thị", "CHỈ THỊ"),
    DocType("NQ", "Nghị quyết", "NGHỊ QUYẾT"),
    DocType("CĐ", "Công điện", "CÔNG ĐIỆN"),
    DocType("BC", "Báo cáo", "BÁO CÁO"),
    DocType("HD", "Hướng dẫn", "HƯỚNG DẪN"),
    DocType("KL", "Kết luận", "KẾT LUẬN"),
    DocType("CTr", "Chương trình", "CHƯƠNG TRÌNH"),
    DocType("CTPH", "Chương trình phối hợp", "CHƯƠNG TRÌNH PHỐI HỢP", number_code=False),
    DocType("TTr", "Tờ trình", "TỜ TRÌNH"),
    DocType("QĐi", "Quy định (của Đảng)", "QUY ĐỊNH"),
    DocType("QyĐ", "Quy định"),
    DocType("QC", "Quy chế"),
    DocType("TT", "Thông tư, thông tri", "THÔNG TRI", party_only=True),
    DocType("TC", "Thông cáo"),
    DocType("PA", "Phương án", "PHƯƠNG ÁN"),
    DocType("ĐA", "Đề án", "ĐỀ ÁN"),
    DocType("DA", "Dự án"),
    DocType("BB", "Biên bản", "BIÊN BẢN"),
    DocType("HĐ", "Hợp đồng"),
    DocType("BGN", "Bản ghi nhớ"),
    DocType("GUQ", "Giấy ủy quyền"),
    DocType("GM", "Giấy mời"),
    DocType("GGT", "Giấy giới thiệu"),
    DocType("PG", "Phiếu gửi"),
    DocType("NĐ", "Nghị định"),
    DocType("L", "Luật"),
    DocType("PL", "Pháp lệnh"),
    DocType("QĐ-TTg", "Quyết định của Thủ tướng Chính phủ"),
)
NAMES = tuple((t.code, t.name) for t in TYPES)  # (code, name), in the table's order
NAME_OF = dict(NAMES)
# The first code of a State number is a type code when it is one of these.
TYPE_CODES = {t.code for t in TYPES if t.number_code}
HEADINGS = {t.heading: t.code for t in TYPES if t.heading}  # heading → code
PARTY_ONLY_TYPES = {t.code for t in TYPES if t.party_only}
