"""Hostile and broken files: each gives one line naming the file and the reason, the batch
goes on to the good letter after them, and nothing already archived changes.

The corpus is built in a temporary folder, next to an archive that already holds a letter;
`congvan ingest` reads the whole folder at once, as an operator would.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.store import OriginalStore, sha256_of
from tests.conftest import letter
from tests.test_extract import text_pdf
from web.cli import main

GOOD = letter("Tăng cường phòng, chống dịch tại cửa khẩu.", "77-CV/TU", "2021-07-01")


def _docx(document_xml: bytes, extra: dict[str, bytes] | None = None) -> bytes:
    """A Word file whose main part is `document_xml` (the other parts a real one has)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Override PartName="/word/document.xml" ContentType="'
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
            '"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>',
        )
        archive.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


_W = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "hahahahahahahahahaha">'
    + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(8)
    )
    + b"]><w:document "
    + _W
    + b"><w:body><w:p><w:r><w:t>&i;</w:t></w:r></w:p></w:body></w:document>"
)


def _zip_bomb() -> bytes:
    """A Word file whose main part unpacks to 300 MB of spaces (about 300 KB packed)."""
    body = b"<w:document " + _W + b"><w:body><w:p><w:r><w:t>" + b" " * (300 << 20)
    return _docx(body + b"</w:t></w:r></w:p></w:body></w:document>")


def _huge_page_pdf() -> bytes:
    """424 bytes: one empty 14,400 pt square page (rendering it takes over 10 GB)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def _pixel_bomb() -> bytes:
    """A 1-bit PNG of 40,000 × 40,000 pixels (a few hundred KB)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (40_000, 40_000), 1).save(buffer, "PNG")
    return buffer.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(GOOD))))
    writer.encrypt("mat-khau")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _write(name: str, data: bytes) -> Callable[[Path, Path], Path]:
    def make(inbox: Path, outside: Path) -> Path:
        path = inbox / name
        path.write_bytes(data)
        return path

    return make


def _link(name: str, target: str) -> Callable[[Path, Path], Path]:
    def make(inbox: Path, outside: Path) -> Path:
        path = inbox / name
        path.symlink_to(target.replace("OUTSIDE", str(outside)))
        return path

    return make


def _fifo(inbox: Path, outside: Path) -> Path:
    path = inbox / "ong-dan.txt"
    os.mkfifo(path)
    return path


def _folder(inbox: Path, outside: Path) -> Path:
    path = inbox / "thu-muc.pdf"
    path.mkdir()
    (path / ".an").write_bytes(b"")  # hidden: the folder itself is what is reported
    return path


def _odd_name(raw: bytes) -> Callable[[Path, Path], Path]:
    def make(inbox: Path, outside: Path) -> Path:
        path = Path(os.fsdecode(bytes(inbox) + b"/" + raw))
        path.write_bytes(b"\x00\x01\x02 not a letter")
        return path

    return make


pdf = text_pdf(GOOD)
CLASSES: dict[str, Callable[[Path, Path], Path]] = {
    "empty": _write("rong.txt", b""),
    "one byte": _write("mot-byte.pdf", b"%"),
    "binary .txt": _write("nhi-phan.txt", os.urandom(3000) + b"\x00" * 100),
    "binary .pdf": _write("nhi-phan.pdf", os.urandom(3000)),
    "binary .docx": _write("nhi-phan.docx", os.urandom(3000)),
    "binary .doc": _write("nhi-phan.doc", os.urandom(3000)),
    "binary .png": _write("nhi-phan.png", os.urandom(3000)),
    "binary .jpg": _write("nhi-phan.jpg", os.urandom(3000)),
    "truncated PDF": _write("cat-ngang.pdf", pdf[: len(pdf) // 3]),
    "encrypted PDF": _write("ma-hoa.pdf", _encrypted_pdf()),
    "broken xref PDF": _write("xref-hong.pdf", pdf.replace(b"startxref", b"startxraf")),
    "huge page PDF": _write("trang-khong-lo.pdf", _huge_page_pdf()),
    "pixel bomb PNG": _write("bom-diem-anh.png", _pixel_bomb()),
    "malformed DOCX": _write("hong.docx", _docx(b"<w:document " + _W + b"><w:body><w:p>")),
    "XXE DOCX": _write("xxe.docx", _docx(XXE)),
    "billion laughs DOCX": _write("cuoi.docx", _docx(LAUGHS)),
    "zip bomb DOCX": _write("bom-zip.docx", _zip_bomb()),
    "NUL bytes": _write("nul.txt", b"\x00" * 5000),
    "newline in the name": _write("dong\nmoi.txt", b"\x00\x01 not a letter"),
    "255-byte name": _write("d" * 251 + ".txt", b"\x00\x01 not a letter"),
    "non-UTF-8 name": _odd_name(b"ten-\xff\xfe.txt"),
    "link to a secret outside": _link("khoa.txt", "OUTSIDE/secret_key"),
    "link to /etc/passwd": _link("passwd.txt", "/etc/passwd"),
    "link to /dev/zero": _link("zero.pdf", "/dev/zero"),
    "dangling link": _link("mat-tich.txt", "OUTSIDE/khong-co"),
    "FIFO": _fifo,
    "folder named .pdf": _folder,
}
# Files that are not letters yet are readable: archived (or refused) with one clear line.
READABLE = {"broken xref PDF", "huge page PDF", "pixel bomb PNG", "XXE DOCX",
            "billion laughs DOCX"}  # fmt: skip


def test_bad_input_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, inbox, outside = tmp_path / "data", tmp_path / "inbox", tmp_path / "outside"
    inbox.mkdir()
    outside.mkdir()
    (outside / "secret_key").write_bytes(b"khoa-bi-mat-cua-may-chu")
    first = tmp_path / "first.txt"
    first.write_text(GOOD.replace("77-CV/TU", "76-CV/TU"), encoding="utf-8")
    assert main(["--data", str(data), "ingest", str(first)]) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        before = [(r.id, r.sha256, r.text) for r in catalog.iter_documents()]
    made = {name: make(inbox, outside) for name, make in CLASSES.items()}
    (inbox / "zz-thu-tot.txt").write_text(GOOD, encoding="utf-8")  # read last
    capsys.readouterr()
    assert main(["--data", str(data), "ingest", str(inbox)]) == 1  # some failed: exit 1
    lines = capsys.readouterr().out.splitlines()
    for name, path in made.items():
        shown = os.fsencode(path.name).decode("utf-8", "backslashreplace").replace("\n", "\\n")
        said = [line for line in lines if f"/{shown}: " in line]
        assert len(said) == 1, (name, said)
        if name not in READABLE:
            assert ": lỗi: " in said[0], (name, said[0])
    assert any("zz-thu-tot.txt: đã lưu trữ" in line for line in lines)
    # Archived, then refused by OCR before any memory is taken, the queue going on.
    assert any("trang-khong-lo.pdf: lỗi OCR: trang 1 quá lớn để dựng ảnh" in x for x in lines)
    assert any("bom-diem-anh.png: lỗi OCR: ảnh quá lớn" in line for line in lines)
    with Catalog(data / "catalog.sqlite3") as catalog:
        records = {r.id: r for r in catalog.iter_documents()}
        assert all(records[i].sha256 == sha and records[i].text == text for i, sha, text in before)
        texts = " ".join(r.text for r in records.values())
    assert "khoa-bi-mat" not in texts and "root:" not in texts  # nothing read through links
    store = OriginalStore(data / "originals")
    for record in records.values():
        assert sha256_of(store.read(record.sha256)) == record.sha256
    leftovers = [p for p in (data / "originals").rglob(".incoming-*")]
    assert not leftovers
