"""Reading letters: header variants, signature blocks, inference with evidence."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from archive.catalog.letter import letter_to_json
from indexer.language.vietnamese import clean, normalize_document, strip_markup
from indexer.letter.inference import infer_from_text
from indexer.letter.metadata import parse_metadata
from indexer.letter.zones import Zones, zones_from_text


def read(raw: str) -> dict[str, Any]:
    text = normalize_document(raw)
    reading = parse_metadata(zones_from_text(strip_markup(clean(raw))), text)
    return letter_to_json(infer_from_text(reading.letter, text))


BODY = "\n\nNội dung chỉ đạo.\n\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nVũ Minh Quân\n"


@pytest.mark.parametrize(
    ("number_line", "number"),
    [
        ("Số 600-CV/TU", "600-CV/TU"),
        ("Số 600 - CV/TU", "600-CV/TU"),
        ("Số: 5123/UBND-KGVX", "5123/UBND-KGVX"),
        ("Số:15/2021/NQ-HĐND", "15/2021/NQ-HĐND"),
        ("Số 1879-\nCV/TU", "1879-CV/TU"),
        ("Số    -CV/TU", None),
        ("Số: /QĐ-UBND", None),
        ("Số 07 -HD/BTGTU", "07-HD/BTGTU"),  # issue 21, point 6: a space before the dash
        ("Số: 12/2001/QĐ/BXD", "12/2001/QĐ/BXD"),  # an older number, "/" in its notation
    ],
)
def test_number_variants(number_line: str, number: str | None) -> None:
    assert read(f"TỈNH ỦY BẮC KẠN\n*\n{number_line}\n" + BODY)["number"] == number


@pytest.mark.parametrize(
    ("date_line", "place", "date"),
    [
        ("Thái Nguyên, ngày 06 tháng 11 năm 2021", "Thái Nguyên", "2021-11-06"),
        ("Võ Nhai, ngày 12-5-2021", "Võ Nhai", "2021-05-12"),
        ("Hà Giang, 03/9/2021", "Hà Giang", "2021-09-03"),
        # Issue 21, point 6: the date alone on its line, its place on the line above.
        ("Bắc Kạn,\nngày 12 tháng 3 năm 2021", "Bắc Kạn", "2021-03-12"),
    ],
)
def test_place_and_date_variants(date_line: str, place: str, date: str) -> None:
    metadata = read(f"TỈNH ỦY BẮC KẠN\n*\nSố 12-CV/TU\n{date_line}\n" + BODY)
    assert (metadata["place"], metadata["date"]) == (place, date)


def test_a_date_alone_on_its_line_is_the_letters_date() -> None:
    metadata = read("TỈNH ỦY BẮC KẠN\n*\nSố 12-CV/TU\nngày 12 tháng 3 năm 2021\n" + BODY)
    assert (metadata["place"], metadata["date"]) == (None, "2021-03-12")


def test_cited_date_is_not_the_letter_date() -> None:
    metadata = read(
        "Kính gửi: Các huyện ủy.\n\nThực hiện Chỉ thị số 09/CT-UBND, ngày 18/7/2021 "
        "và Thông báo số 368-TB/TU, ngày 13-8-2021." + BODY
    )
    assert metadata["date"] is None and metadata["date_not_before"] == "2021-08-13"


def test_two_line_party_header_and_heading_subject() -> None:
    metadata = read(
        "ĐẢNG BỘ TỈNH NGHỆ AN\nHUYỆN ỦY NGHI LỘC\n*\nSố 87-TB/HU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
        "Nghi Lộc, ngày 20 tháng 8 năm 2021\n\nTHÔNG BÁO\nKết luận của Ban Thường vụ\n"
        "về phòng, chống dịch" + BODY
    )
    assert metadata["issuer"] == "Huyện ủy Nghi Lộc"
    assert (metadata["issuer_body"], metadata["province"]) == ("Huyện ủy", "Nghệ An")
    assert metadata["doc_type"] == "TB"
    assert metadata["subject"] == "Kết luận của Ban Thường vụ về phòng, chống dịch"
    assert metadata["inferred"] == {}


def test_state_header_with_interleaved_columns() -> None:
    metadata = read(
        "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH QUẢNG NAM Độc lập - Tự do - "
        "Hạnh phúc\nQuảng Nam, ngày 12 tháng 11 năm 2021\nSố: 5123/UBND-KGVX\n"
        "V/v tiêm vắc xin cho trẻ em\n\nKính gửi: Sở Y tế.\n\nNội dung.\n\nKT. CHỦ TỊCH\n"
        "PHÓ CHỦ TỊCH\n\nLê Thị Thanh Hà"
    )
    assert metadata["issuer"] == "Ủy ban nhân dân tỉnh Quảng Nam"
    assert (metadata["place"], metadata["date"]) == ("Quảng Nam", "2021-11-12")
    assert (metadata["doc_type"], metadata["subject"]) == ("CV", "V/v tiêm vắc xin cho trẻ em")
    assert (metadata["authority"], metadata["signer_title"]) == ("KT.", "Phó Chủ tịch")
    assert metadata["recipients"] == ["Sở Y tế"]


def test_legacy_lowercase_heading_header() -> None:
    metadata = read("tỉnh ủy lạng sơn\n*\nSố 15-CT/TU\nLạng Sơn, ngày 12 tháng 5 năm 2021" + BODY)
    assert metadata["issuer"] == "Tỉnh ủy Lạng Sơn"


@pytest.mark.parametrize(
    ("block", "authority", "title", "signer"),
    [
        ("T/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ THƯỜNG TRỰC", "T/M", "Phó Bí thư Thường trực", None),
        (
            "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH\n\n\n**Nguyễn Văn Khánh**",
            "TM.",
            "Chủ tịch",
            "Nguyễn Văn Khánh",
        ),
        ("TL. CHỦ TỊCH\nCHÁNH VĂN PHÒNG\n\nLê Văn Hùng", "TL.", "Chánh Văn phòng", "Lê Văn Hùng"),
        (
            "TUQ. CHỦ TỊCH\nGIÁM ĐỐC SỞ Y TẾ\n\nĐinh Thị Mai",
            "TUQ.",
            "Giám đốc",  # the post signed as; the body it heads is the issuer's business
            "Đinh Thị Mai",
        ),
        ("K/T BÍ THƯ\nPHÓ BÍ THƯ\n\nHà Văn Sơn", "K/T", "Phó Bí thư", "Hà Văn Sơn"),
        # Marks as printed, without their dot or with a colon; stacked marks: the first
        ("TM UBND\nCHỦ TỊCH\n\nLê Văn An", "TM.", "Chủ tịch", "Lê Văn An"),
        ("KT: GIÁM ĐỐC\nPHÓ GIÁM ĐỐC\n\nLê Văn An", "KT.", "Phó Giám đốc", "Lê Văn An"),
        (
            "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nLê Văn An",
            "TM.",
            "Phó Chủ tịch",
            "Lê Văn An",
        ),
        # No mark; a multi-line title; a rank before the name; lowercase from .VnTimeH
        ("CỤC TRƯỞNG\n\nThiếu tướng Ngô Văn Bình", None, "Cục trưởng", "Ngô Văn Bình"),
        ("TRƯỞNG BAN\nPHÓ CHỦ TỊCH UBND TỈNH\n\nLê Văn An", None, "Trưởng ban", "Lê Văn An"),
        ("t/m ban thường vụ\nphó bí thư\n\nHà Văn Sơn", "T/M", "Phó Bí thư", "Hà Văn Sơn"),
        # OCR slips under a seal: a wrong tone, a letter read twice
        (
            "T/M BAN THƯỜNG VỤ\nPHÓ BÍ THỨ THƯỜNG TRỨỰC\n\nHà Văn Sơn",
            "T/M",
            "Phó Bí thư Thường trực",
            "Hà Văn Sơn",
        ),
    ],
)
def test_signature_blocks(block: str, authority: str, title: str, signer: str | None) -> None:
    metadata = read("Kính gửi: Các sở.\n\nNội dung.\n\nNơi nhận:\n- Như trên.\n\n" + block)
    assert (metadata["authority"], metadata["signer_title"], metadata["signer"]) == (
        authority,
        title,
        signer,
    )


@pytest.mark.parametrize(
    ("text", "doc_type"),
    [
        ("Kính gửi: Các sở.\n\nGiao Văn phòng theo dõi việc thực hiện Công văn này.", "CV"),
        ("Kính gửi: Các sở.\n\nĐề nghị các đồng chí thực hiện.", None),
        ("TỈNH ỦY BẮC KẠN\nSố 5-CV/TU\nV/v họp\n\nKính gửi: Các sở.", "CV"),
        ("CHỈ THỊ\nVề tăng cường phòng dịch\n\nNội dung.", "CT"),
    ],
)
def test_doc_type(text: str, doc_type: str | None) -> None:
    assert read(text)["doc_type"] == doc_type


def test_noise_is_not_content() -> None:
    metadata = read(
        "Kính gửi: Các sở.\n\nĐề nghị thực hiện. *thủy*\n\nNơi nhận:\n- Như trên.\n\n"
        "**T/M BAN THƯỜNG VỤ\nBÍ THƯ**\n\n**Mai Văn Huỳnh**"
    )
    assert (metadata["signer"], metadata["signer_title"]) == ("Mai Văn Huỳnh", "Bí thư")


def test_province_inferred_from_district_with_evidence() -> None:
    metadata = read("Kính gửi: Các sở.\n\nTăng cường kiểm soát tại huyện Đình Lập." + BODY)
    assert metadata["province"] == "Lạng Sơn"
    assert metadata["inferred"]["province"] == {"evidence": "huyện Đình Lập"}


def test_thanh_uy_hue_is_thua_thien_hue() -> None:
    metadata = read("Kính gửi: Các huyện ủy, thị ủy, Thành ủy Huế.\n\nNội dung." + BODY)
    assert metadata["province"] == "Thừa Thiên Huế"


@pytest.mark.parametrize("district", ["Châu Thành", "Phú Tân", "Tân Châu", "Bảo Lâm"])
def test_ambiguous_district_never_decides(district: str) -> None:
    metadata = read(f"Kính gửi: Các sở.\n\nKiểm soát tại huyện {district}." + BODY)
    assert metadata["province"] is None and "province" not in metadata["inferred"]


def test_conflicting_places_decide_nothing() -> None:
    metadata = read("Kính gửi: Các sở.\n\nNgười từ huyện Đình Lập và huyện Võ Nhai." + BODY)
    assert metadata["province"] is None


def test_stated_province_wins() -> None:
    metadata = read(
        "TỈNH ỦY BẮC KẠN\n*\nSố 5-CV/TU\nBắc Kạn, ngày 01 tháng 02 năm 2022\n\n"
        "Người về từ huyện Đình Lập phải khai báo." + BODY
    )
    assert metadata["province"] == "Bắc Kạn" and "province" not in metadata["inferred"]


def test_issuer_from_party_code_and_place() -> None:
    metadata = read("Số 600-CV/TU\n\nThái Nguyên, ngày 06 tháng 11 năm 2021\n\nNội dung." + BODY)
    assert metadata["issuer"] == "Tỉnh ủy Thái Nguyên"
    assert metadata["issuer_body"] == "Tỉnh ủy" and metadata["province"] == "Thái Nguyên"
    assert metadata["inferred"]["issuer_body"] == {"evidence": "ký hiệu 600-CV/TU"}
    assert metadata["inferred"]["province"] == {"evidence": "nơi ban hành: Thái Nguyên"}


def test_issuer_body_from_filing_office_or_voice() -> None:
    filed = read("Kính gửi: Các sở.\n\nNội dung.\n\nNơi nhận:\n- Như trên,\n- Lưu VPTU.")
    assert filed["issuer_body"] == "Tỉnh ủy"
    assert filed["inferred"]["issuer_body"] == {"evidence": "Nơi nhận: Lưu VPTU"}
    spoken = read("Kính gửi: Các sở.\n\nBan Thường vụ Huyện ủy yêu cầu các chi bộ thực hiện.")
    assert spoken["issuer_body"] == "Huyện ủy"


def test_central_bodies_get_no_province_from_hanoi() -> None:
    metadata = read("CHÍNH PHỦ\nSố: 68/NQ-CP\nHà Nội, ngày 01 tháng 7 năm 2021\n\nNội dung.")
    assert metadata["place"] == "Hà Nội" and metadata["province"] is None


@pytest.mark.parametrize(
    "header",
    [
        # number and place/date on one line
        "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nSố: 12/UBND-VX    Lạng Sơn, ngày 01 tháng 7 năm 2021",
        # the date line above the number
        "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nLạng Sơn, ngày 01 tháng 7 năm 2021\nSố: 12/UBND-VX",
        # an incoming stamp above the header: its register number and day are not the letter's
        "ĐẾN\nSố: 1234\nNgày: 03/7/2021\nỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nSố: 12/UBND-VX\n"
        "Lạng Sơn, ngày 01 tháng 7 năm 2021",
        # urgency stamp; OCR slips in the body's name and a period after a line
        "HỎA TỐC\nÚY BAN NHÂN DÂN TĨNH LẠNG SƠN.\nSó: 12/UBND-VX\n"
        "Lạng Sơn, ngày 01 tháng 7 năm 2021.",
    ],
)
def test_header_variants_read_alike(header: str) -> None:
    metadata = read(header + "\n\nKính gửi: Các sở.\n\nNội dung." + BODY)
    assert (metadata["number"], metadata["date"]) == ("12/UBND-VX", "2021-07-01")
    assert (metadata["issuer"], metadata["province"]) == (
        "Ủy ban nhân dân tỉnh Lạng Sơn",
        "Lạng Sơn",
    )


@pytest.mark.parametrize(
    ("header", "issuer", "body", "province"),
    [
        ("BỘ CÔNG THƯƠNG\nCỤC HÓA CHẤT", "Cục Hóa chất, Bộ Công Thương", "Cục", None),
        ("UBND TỈNH LÀO CAI\nSỞ XÂY DỰNG", "Sở Xây dựng tỉnh Lào Cai", "Sở", "Lào Cai"),
        ("BỘ CÔNG AN\nCÔNG AN TỈNH LÂM ĐỒNG", "Công an tỉnh Lâm Đồng", "Công an", "Lâm Đồng"),
        ("VĂN PHÒNG CHÍNH PHỦ", "Văn phòng Chính phủ", "Văn phòng Chính phủ", None),
        ("THỦ TƯỚNG CHÍNH PHỦ", "Thủ tướng Chính phủ", "Thủ tướng Chính phủ", None),
        (
            "UBND TỈNH BÌNH THUẬN\nVĂN PHÒNG",
            "Văn phòng Ủy ban nhân dân tỉnh Bình Thuận",
            "Văn phòng",
            "Bình Thuận",
        ),
        (
            "BAN CHẤP HÀNH TRUNG ƯƠNG\nVĂN PHÒNG",
            "Văn phòng Trung ương Đảng",
            "Văn phòng Trung ương Đảng",
            None,
        ),
        (
            "ĐẠI HỌC QUỐC GIA TP.HCM\nTRƯỜNG ĐẠI HỌC\nCÔNG NGHỆ THÔNG TIN",
            "Trường Đại học Công nghệ Thông tin (Đại học Quốc gia TP.HCM)",
            "Trường đại học",
            "Hồ Chí Minh",
        ),
        (
            "LIÊN ĐOÀN LAO ĐỘNG -\nSỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH\nTỈNH AN GIANG",
            "Liên đoàn Lao động - Sở Văn hóa, Thể thao và Du lịch tỉnh An Giang",
            "Liên tịch",
            "An Giang",
        ),
        ("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM", "Tổng Liên đoàn Lao động Việt Nam", "Công đoàn", None),
    ],
)
def test_issuers_of_every_kind(header: str, issuer: str, body: str, province: str | None) -> None:
    metadata = read(f"{header}\nSố: 12/XX-YY\nHà Nội, ngày 10 tháng 3 năm 2024\n\nNội dung.")
    assert (metadata["issuer"], metadata["issuer_body"]) == (issuer, body)
    assert metadata["province"] == province


def test_province_follows_the_scheme_of_the_letters_date() -> None:
    """Bình Thuận became part of Lâm Đồng on 1 July 2025: a later letter naming it is
    not given a province that no longer exists."""
    header = "UBND TỈNH BÌNH THUẬN\nSở Y TẾ\nSố: 12/SYT-VP\nBình Thuận, ngày 10 tháng 3 năm {}"
    assert read(header.format(2024) + "\n\nNội dung.")["province"] == "Bình Thuận"
    assert read(header.format(2026) + "\n\nNội dung.")["province"] is None


def test_mark_lost_under_a_seal_is_inferred_from_the_collective_named() -> None:
    block = "BAN THƯỜNG VỤ\nPHÓ BÍ THƯ\n\nHà Văn Sơn"
    metadata = read("TỈNH ỦY BẮC KẠN\n*\nSố 12-CV/TU\n\nKính gửi: Các sở.\n\nNội dung.\n\n" + block)
    assert (metadata["authority"], metadata["signer_title"]) == ("T/M", "Phó Bí thư")
    assert metadata["inferred"]["authority"] == {"evidence": "“BAN THƯỜNG VỤ” trên chức danh"}


def _as_ocr(zones: Zones) -> Zones:
    """The same zones as if read by OCR (names and digits are doubted there)."""
    block = tuple(
        dataclasses.replace(line, method="ocr:tesseract-vie") for line in zones.signatures[0]
    )
    return dataclasses.replace(zones, signatures=(block,))


def test_a_name_read_in_part_under_a_seal() -> None:
    """Completed from the one full name the letter writes ending so, else left for review."""
    raw = "Kính gửi: Các sở.\n\nNội dung.\n\nNơi nhận:\n- PCN Phạm Mạnh Cường;\n\n"
    text = normalize_document(raw + "KT. CHỦ NHIỆM\nPHÓ CHỦ NHIỆM\n\nCường")
    zones = _as_ocr(zones_from_text(text))
    metadata = letter_to_json(parse_metadata(zones, text).letter)
    assert metadata["signer"] == "Phạm Mạnh Cường"
    assert "Phạm Mạnh Cường" in metadata["inferred"]["signer"]["evidence"]
    alone = normalize_document("Nội dung.\n\nKT. CHỦ NHIỆM\nPHÓ CHỦ NHIỆM\n\nMạnh Cường")
    metadata = letter_to_json(parse_metadata(_as_ocr(zones_from_text(alone)), alone).letter)
    assert metadata["signer"] is None and "không trọn" in metadata["review"]["signer"]
    assert metadata["signer_title"] == "Phó Chủ nhiệm"  # the mark vouches for the title


def test_ocr_slips_in_titles_and_type_names() -> None:
    """A title one letter off ("ĐHỦ NHIỆM") is still a title, and under "KT." the head's
    own title read there has lost its "PHÓ"; a State letter's "THÔNG" is a thông báo."""
    block = "KT. BỘ TRƯỞNG, CHỦ NHIỆM\nĐHỦ NHIỆM\n\nPhạm Văn An"
    metadata = read("Kính gửi: Các bộ.\n\nNội dung.\n\nNơi nhận:\n- Như trên.\n\n" + block)
    assert (metadata["authority"], metadata["signer_title"]) == ("KT.", "Phó Chủ nhiệm")
    assert "cấp phó" in metadata["inferred"]["signer_title"]["evidence"]
    header = "UBND TỈNH LÀO CAI\nSỞ CÔNG THƯƠNG\nSố: 12\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
    metadata = read(header + "\nTHÔNG\nKết quả kiểm tra an toàn\n\nThực hiện kế hoạch." + BODY)
    assert (metadata["doc_type"], metadata["subject"]) == ("TB", "Kết quả kiểm tra an toàn")
