"""Vietnamese normalization: one module, used at index and at query time."""

from __future__ import annotations

import unicodedata

import pytest

from indexer.language.vietnamese import (
    clean,
    fold,
    normalize_document,
    reflow,
    strip_markup,
    unify_tones,
)
from indexer.search.tantivy_engine import folded_terms

VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("uỷ", "ủy"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("hoá", "hóa"),
        ("TỈNH UỶ", "TỈNH ỦY"),
        ("tuỳ", "tùy"),
    ],
)
def test_old_tone_placement_is_unified(old: str, new: str) -> None:
    assert unify_tones(old) == new
    assert clean(old) == clean(new)


@pytest.mark.parametrize("word", ["quý", "hoàn", "Huỳnh", "khuyến", "thuở", "hòa"])
def test_tone_placement_leaves_other_syllables_alone(word: str) -> None:
    assert unify_tones(word) == word


def test_clean_maps_look_alikes() -> None:
    assert clean("\u00d0ảng ƣu tiên") == "Đảng ưu tiên"
    assert clean("V\u2044v 68\u2215NQ\u2013CP") == "V/v 68/NQ-CP"
    assert clean("a\u00a0b\u200bc\ufeff") == "a bc"


def test_cyrillic_look_alikes_inside_numbers_are_latin() -> None:
    """PDF text layers slip Cyrillic letters into numbers and codes; Russian stays Russian."""
    assert clean("Số: 12/КН-UBND, dịch СОVID-19") == "Số: 12/KH-UBND, dịch COVID-19"
    assert clean("Đoàn công tác thăm Москва") == "Đoàn công tác thăm Москва"


def test_clean_composes_nfd() -> None:
    decomposed = unicodedata.normalize("NFD", "Đình Lập")
    assert decomposed != "Đình Lập"
    assert clean(decomposed) == "Đình Lập"


def test_fold_removes_tones_and_maps_d() -> None:
    assert fold("Đảng bộ huyện Đình Lập") == "dang bo huyen dinh lap"
    assert fold("ƯỚC LƯỢNG") == "uoc luong"


def test_engine_analyzer_folds_like_fold() -> None:
    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    assert folded_terms(" ".join(letters)) == fold(" ".join(letters)).split()


def test_markup_is_dropped() -> None:
    assert strip_markup("ghi nhận **28** trường hợp") == "ghi nhận 28 trường hợp"
    assert strip_markup("cơ sở (*xóm, bản*) và *thủy*") == "cơ sở (xóm, bản) và thủy"
    assert strip_markup("5 * 3 = 15") == "5 * 3 = 15"


@pytest.mark.parametrize(
    ("raw", "clean_text"),
    [
        ("đề xuất biện pháp lãnh đạo, chỉ đạo. *thủy*", "đề xuất biện pháp lãnh đạo, chỉ đạo."),
        (
            "theo dõi việc thực hiện Công văn này. *Giáo*\n",
            "theo dõi việc thực hiện Công văn này.\n",
        ),
        ("từ tỉnh đến cơ sở (*xóm, bản*) chịu", "từ tỉnh đến cơ sở (xóm, bản) chịu"),
        (
            'quy định tạm thời "*Thích ứng an toàn*", phù hợp',
            'quy định tạm thời "Thích ứng an toàn", phù hợp',
        ),
    ],
)
def test_stray_italic_words_are_noise_but_emphasis_is_content(raw: str, clean_text: str) -> None:
    assert strip_markup(raw) == clean_text


def test_reflow_joins_wrapped_lines_and_split_numbers() -> None:
    raw = (
        "Ngày 30/7/2020 Ban Thường vụ Tỉnh ủy đã ban hành Công văn số 1879-\n\n"
        "CV/TU về việc tăng cường công tác phòng, chống dịch bệnh trong tình \n"
        "hình mới.\n\n"
        "1. Thực hiện phương châm bốn tại chỗ.\n"
        "2. Chủ động ứng phó.\n"
    )
    assert reflow(raw).split("\n") == [
        "Ngày 30/7/2020 Ban Thường vụ Tỉnh ủy đã ban hành Công văn số 1879-CV/TU về việc "
        "tăng cường công tác phòng, chống dịch bệnh trong tình hình mới.",
        "1. Thực hiện phương châm bốn tại chỗ.",
        "2. Chủ động ứng phó.",
    ]


def test_reflow_keeps_headings_and_list_items_apart() -> None:
    raw = "T/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nNơi nhận:\n- Như trên,\n- Lưu VPTU."
    assert reflow(raw).split("\n") == [
        "T/M BAN THƯỜNG VỤ",
        "BÍ THƯ",
        "Nơi nhận:",
        "- Như trên,",
        "- Lưu VPTU.",
    ]


def test_normalize_document_runs_every_step() -> None:
    raw = unicodedata.normalize("NFD", "Các cấp uỷ ghi nhận **28**\n\nca mắc.")
    assert normalize_document(raw) == "Các cấp ủy ghi nhận 28 ca mắc."
