"""Tiny generators of PDF bytes for tests: valid text pages, optionally password-protected, and pages made to
cost pdfplumber minutes or a gigabyte (for the worker's limits).

No third-party PDF writer: a one-font (Helvetica, WinAnsiEncoding) document is a few objects,
and encryption is the PDF standard security handler, revision 2 (40-bit RC4), which pdfminer
and pdfium both read. Nothing here is meant for real documents.
"""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

# The 32-byte padding string of the standard security handler (PDF 1.7, 7.6.3.3).
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_PERMISSIONS = -44  # print, modify, copy, annotate allowed; the flags are not what is tested
_FILE_ID = hashlib.md5(b"tests/pdfgen.py").digest()


def _escape(text: str) -> bytes:
    """A PDF literal string body in WinAnsiEncoding (Latin letters such as ä, ö, å)."""
    raw = text.encode("cp1252")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _content(lines: list[str]) -> bytes:
    ops = [b"BT", b"/F1 12 Tf", b"14 TL", b"72 770 Td"]
    for line in lines:
        ops.append(b"(" + _escape(line) + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def _padded(password: str) -> bytes:
    return (password.encode("latin-1") + _PAD)[:32]


def _security(user_password: str, owner_password: str) -> tuple[bytes, bytes, bytes]:
    """(file key, /O, /U) for V1/R2 with a 40-bit key."""
    owner_entry = _rc4(hashlib.md5(_padded(owner_password)).digest()[:5], _padded(user_password))
    permissions = _PERMISSIONS.to_bytes(4, "little", signed=True)
    key = hashlib.md5(_padded(user_password) + owner_entry + permissions + _FILE_ID).digest()[:5]
    return key, owner_entry, _rc4(key, _PAD)


def text_pdf(pages: list[list[str]] | list[str], *, user_password: str | None = None) -> bytes:
    """A valid PDF with one page per entry of ``pages`` (a flat list of lines is one page).

    With ``user_password`` the document is encrypted and cannot be opened without it.
    """
    if pages and isinstance(pages[0], str):
        pages = [pages]  # type: ignore[list-item]
    count = len(pages)
    # Objects: 1 catalog, 2 page tree, 3 font, then a (page, content) pair per page.
    page_ids = [4 + 2 * n for n in range(count)]
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in page_ids) + b"] /Count %d >>" % count,
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    }
    key = owner_entry = user_entry = None
    if user_password is not None:
        key, owner_entry, user_entry = _security(user_password, user_password + "-owner")
    for page_id, lines in zip(page_ids, pages, strict=True):
        content_id = page_id + 1
        objects[page_id] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_id
        )
        data = _content(list(lines))
        if key is not None:
            data = _rc4(hashlib.md5(key + content_id.to_bytes(3, "little") + b"\x00\x00").digest()[:10], data)
        objects[content_id] = b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"
    encrypt_id = None
    if key is not None:
        encrypt_id = max(objects) + 1
        objects[encrypt_id] = (
            b"<< /Filter /Standard /V 1 /R 2 /O <"
            + owner_entry.hex().encode()
            + b"> /U <"
            + user_entry.hex().encode()
            + b"> /P %d >>" % _PERMISSIONS
        )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for number in range(1, size):
        out += b"%010d 00000 n \n" % offsets[number]
    file_id = _FILE_ID.hex().encode()
    trailer = b"<< /Size %d /Root 1 0 R /ID [<%s> <%s>]" % (size, file_id, file_id)
    if encrypt_id is not None:
        trailer += b" /Encrypt %d 0 R" % encrypt_id
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


# --- pages that cost pdfplumber minutes or a gigabyte -----------------------------------------------------
#
# Each stays inside the reader's own bounds (``pipeline.readers.pdf_bounds``: 200,000 operators a page), so
# only a worker's limits stop it:
#
# * ``slow_pdf``: 200 pages of 100,000 graphics-state operators (``q Q``) each, 20 million in all, every page
#   drawing one shared content stream. pdfplumber alone took 3 min 30 s over 20 million such operators on one
#   page (peak 186 MiB) on the 2-core machine, busy; 1 million operators take it 8 s. The worker checks no
#   time between pages: the watcher's clock is the limit.
# * ``hungry_pdf``: a page of 90,000 one-letter text objects. pdfplumber keeps each letter as an object of
#   about 2.5 KB: over 200 MiB for the page (50,000 letters: 141 MiB peak).


def one_page_pdf(content: bytes, pages: int = 1) -> bytes:
    """A PDF of ``pages`` A4 pages that all draw one content stream (Flate-compressed), ``content``; font
    /F1 is Helvetica."""
    data = zlib.compress(content)
    kids = [5 + n for n in range(pages)]
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), pages),
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    }
    for kid in kids:
        objects[kid] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents 4 0 R >>"
        )
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for number, body in objects.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    size = len(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    out += b"".join(b"%010d 00000 n \n" % offsets[n] for n in range(1, size))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, xref)
    return bytes(out)


TITLE = b"BT /F1 12 Tf 72 770 Td (Tulossopimus vuosille 2024-2027) Tj ET\n"


def slow_pdf(path: Path) -> Path:
    """Pages that take pdfplumber minutes, in little memory (see the module's docstring)."""
    path.write_bytes(one_page_pdf(TITLE + b"q Q " * 50_000, pages=200))
    return path


def hungry_pdf(path: Path) -> Path:
    """One page that takes pdfplumber about 1 GB (see the module's docstring)."""
    path.write_bytes(one_page_pdf(TITLE + b"BT /F1 1 Tf " + b"(a) Tj 0.001 0 Td " * 90_000 + b"ET\n"))
    return path
