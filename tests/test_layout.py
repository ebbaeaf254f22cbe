"""Lines and reading order from word boxes, as a letter's zones place them (NĐ 30/2020)."""

from __future__ import annotations

from indexer.pages.layout import PageLayout, Word, lines_from_words, pack, unpack

LINE = 0.014  # a line's height, as a fraction of an A4 page


def words(text: str, x: float, y: float) -> list[Word]:
    """The words of `text` set from x on the line at y (one character = 0.008 wide)."""
    placed, position = [], x
    for word in text.split():
        placed.append(Word(word, position, y, position + 0.008 * len(word), y + LINE))
        position += 0.008 * (len(word) + 1)
    return placed


def order(*pieces: list[Word]) -> list[str]:
    return [line.text for line in lines_from_words(w for piece in pieces for w in piece)]


def test_header_columns_are_read_apart_then_the_body() -> None:
    lines = order(
        words("ỦY BAN NHÂN DÂN", 0.12, 0.05),
        words("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 0.48, 0.05),
        words("TỈNH LÀO CAI", 0.14, 0.066),
        words("Độc lập - Tự do - Hạnh phúc", 0.54, 0.066),
        words("Số: 12/UBND-VX", 0.13, 0.10),
        words("Lào Cai, ngày 5 tháng 3 năm 2025", 0.52, 0.10),
        words("Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành triển khai ngay.", 0.1, 0.16),
    )
    assert lines == [
        "ỦY BAN NHÂN DÂN",
        "TỈNH LÀO CAI",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/UBND-VX",
        "Lào Cai, ngày 5 tháng 3 năm 2025",
        "Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành triển khai ngay.",
    ]


def test_values_stamped_into_blanks_join_their_line() -> None:
    """E-signed letters: the number and day sit in wide gaps, a little off the baseline."""
    number = [Word("Số:", 0.15, 0.10, 0.18, 0.114), Word("/KH-UBND", 0.33, 0.10, 0.40, 0.114)]
    stamped = [Word("173", 0.19, 0.104, 0.22, 0.116), Word("28", 0.66, 0.103, 0.68, 0.115)]
    date = words("Hà Nội, ngày", 0.52, 0.10) + words("tháng 4 năm 2026", 0.72, 0.10)
    assert order(number, stamped, date) == [
        "Số: 173/KH-UBND",
        "Hà Nội, ngày 28 tháng 4 năm 2026",
    ]
    assert order(number, date) == ["Số: /KH-UBND", "Hà Nội, ngày tháng 4 năm 2026"]


def test_recipients_are_read_before_the_signature_block_beside_them() -> None:
    """No blank line separates the body from the bottom blocks: the two columns are found
    row by row."""
    lines = order(
        words("Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ tổ chức thực hiện./.", 0.1, 0.50),
        words("Nơi nhận:", 0.1, 0.515),
        words("TM. ỦY BAN NHÂN DÂN", 0.6, 0.515),
        words("- Như trên;", 0.1, 0.53),
        words("CHỦ TỊCH", 0.65, 0.53),
        words("- Lưu: VT.", 0.1, 0.545),
        words("Nguyễn Văn A", 0.63, 0.60),
    )
    assert lines == [
        "Các cơ quan, đơn vị căn cứ chức năng, nhiệm vụ tổ chức thực hiện./.",
        "Nơi nhận:",
        "- Như trên;",
        "- Lưu: VT.",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Nguyễn Văn A",
    ]


def test_sides_and_storage() -> None:
    lines = lines_from_words(words("Nơi nhận:", 0.1, 0.8) + words("KT. GIÁM ĐỐC", 0.62, 0.8))
    page = PageLayout(3, tuple(lines))
    assert [page.side(line) for line in page.lines] == ["left", "right"]
    (stored,) = unpack(pack([page]))
    assert stored.number == 3 and stored.text == page.text
    first = stored.lines[0].words[0]
    assert (first.text, round(first.x0, 4), round(first.y1, 4)) == ("Nơi", 0.1, 0.814)
