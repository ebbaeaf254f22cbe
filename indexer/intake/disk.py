"""Reading a file to ingest from disk, so that nothing but a letter can be read: no file
outside the folder being ingested, whatever its folders are swapped for while it is read,
and no file of the archive's own data folder (the session key, the catalog).

The path is resolved by the kernel from the ingested folder's descriptor (`openat2` with
`RESOLVE_BENEATH`): a symbolic link is followed only while it stays inside that folder,
checked at the moment of opening, not before (a check then an open by name lets a folder
be swapped for a link in between). The opened descriptor is then checked: a regular file,
not too large, not one of the data folder's files by device and inode (a hard link to the
session key is refused as the key itself is). Where the kernel lacks `openat2`, links are
not followed at all: each folder is opened in turn without following one.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from archive.settings import MAX_FILE_BYTES
from indexer.pages.errors import ExtractionError

_SYS_OPENAT2 = 437  # the same number on x86_64 and aarch64
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_BENEATH = 0x08
_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC  # O_NONBLOCK: a FIFO never blocks open
_HOPS = 8  # links written with an absolute target, followed one after another at most
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long

OUTSIDE = "là liên kết tượng trưng ra ngoài thư mục đang nhận, không đọc"
PRIVATE = "là tệp của thư mục dữ liệu của kho (khóa phiên, danh mục…), không đọc"


class _OpenHow(ctypes.Structure):
    _fields_ = [("flags", ctypes.c_uint64), ("mode", ctypes.c_uint64), ("resolve", ctypes.c_uint64)]


def _openat2(folder: int, relative: str) -> int:
    how = _OpenHow(_FLAGS, 0, _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS)
    name = os.fsencode(relative)
    fd = _libc.syscall(_SYS_OPENAT2, folder, name, ctypes.byref(how), ctypes.sizeof(how))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return int(fd)


def _walk_without_links(folder: int, relative: str) -> int:
    """Each component opened from its parent's descriptor, never through a link."""
    *parents, last = Path(relative).parts
    current = os.dup(folder)
    try:
        for part in parents:
            following = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=current)
            os.close(current)
            current = following
        return os.open(last, _FLAGS | os.O_NOFOLLOW, dir_fd=current)
    finally:
        os.close(current)


def _open_beneath(path: Path, within: Path) -> int:
    folder = os.open(within, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    relative = os.path.relpath(path, within)
    try:
        for _ in range(_HOPS):
            try:
                return _openat2(folder, relative)
            except OSError as error:
                if error.errno in (errno.ENOSYS, errno.EPERM):  # no openat2 (or a sandbox)
                    return _walk_without_links(folder, relative)
                if error.errno != errno.EXDEV:
                    raise
                relative = _inside(folder, relative, within)
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP))
    finally:
        os.close(folder)


def _inside(folder: int, relative: str, within: Path) -> str:
    """Where a link written with an absolute target (`/srv/drop/thu.pdf`) points, as a
    path inside `within`, to be opened beneath it again; EXDEV when it points out."""
    try:
        target = os.readlink(relative, dir_fd=folder)
    except OSError:  # the link out was a folder on the way, not the file itself
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV)) from None
    if os.path.isabs(target):
        inside = os.path.relpath(target, os.path.realpath(within))
        if not inside.startswith(os.pardir):
            return inside
    raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))


def _open(path: Path, within: Path | None) -> int:
    """A descriptor of `path`, or ExtractionError naming why it is not opened."""
    try:
        if within is None:  # a file named by the operator: only its last part is checked
            return os.open(path, _FLAGS | os.O_NOFOLLOW)
        return _open_beneath(path, within)
    except OSError as error:
        if error.errno == errno.EXDEV:
            raise ExtractionError(OUTSIDE) from None
        if error.errno == errno.ELOOP:
            what = "liên kết tượng trưng" if within is None else "liên kết tượng trưng vòng lặp"
            raise ExtractionError(f"là {what}, không theo") from None
        raise ExtractionError(f"không mở được tệp ({error.strerror})") from None


@contextmanager
def _opened(path: Path, within: Path | None) -> Iterator[int]:
    fd = _open(path, within)
    try:
        yield fd
    finally:
        os.close(fd)


def read_file(
    path: Path, within: Path | None = None, private: frozenset[tuple[int, int]] = frozenset()
) -> bytes:
    """The bytes of a regular file at `path` (found in the folder `within`, or named by the
    operator), its size checked before reading; ExtractionError for anything else: a link
    out of `within`, a loop, a FIFO, a device, a folder, a file of `private` (device and
    inode, `Settings.private_files`)."""
    with _opened(path, within) as fd:
        status = os.fstat(fd)
        if stat.S_ISDIR(status.st_mode):
            raise ExtractionError("là thư mục, không phải tệp")
        if not stat.S_ISREG(status.st_mode):
            raise ExtractionError("không phải tệp thường (FIFO, thiết bị hay socket), không đọc")
        if (status.st_dev, status.st_ino) in private:
            raise ExtractionError(PRIVATE)
        if status.st_size > MAX_FILE_BYTES:
            raise ExtractionError(f"tệp quá lớn ({status.st_size} byte; tối đa {MAX_FILE_BYTES})")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)  # a file growing while read stays bounded
    if len(data) > MAX_FILE_BYTES:
        raise ExtractionError(f"tệp quá lớn (hơn {MAX_FILE_BYTES} byte; tối đa {MAX_FILE_BYTES})")
    return data
