"""What a PDF's streams may cost, checked before pdfminer decodes or interprets them.

A PDF's streams are compressed, so a small file can hold a great deal: a 1 MB stream of zeros
inflates to 1 GB, and 165 KB of compressed ``BT (x) Tj ET`` to 100 MB of text operators, each of which
pdfminer turns into Python objects (gigabytes, minutes, a crash). pdfminer decodes a stream whole,
with no limit, and interprets a page whole; it has no hook to stop either. So the reader checks first:

- ``check_streams``, on the file's bytes before pdfminer parses them: every stream of the file —
  page contents, forms, fonts, object and cross-reference streams, all objects at the top level of a
  PDF and so found by their ``stream`` keyword in its bytes — is inflated through its filters by
  decoders that stop at the limit: none may decode to more than ``MAX_STREAM_BYTES``, all of them
  together to more than ``MAX_DOCUMENT_BYTES``. Images are not measured: the reader never decodes them.
- ``check_page``, before a page is interpreted: the operators of its content streams, and of the
  forms it draws each time it draws them, are counted on the decoded bytes (whose size the first
  check bounded) by a byte pattern, stopping at ``MAX_PAGE_OPERATORS``.

A damaged Flate stream has a tighter limit, ``MAX_DAMAGED_BYTES``: pdfminer's fallback for it costs
the square of its size.
Either refusal is one ``DocumentTooLarge`` line, in about a second whatever the bomb.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import regex

from pipeline.errors import DocumentTooLarge

MAX_STREAM_BYTES = 64 << 20  # one stream decoded; a page's contents are tens of KiB, an embedded font a few MiB
MAX_DOCUMENT_BYTES = 256 << 20  # all the streams of a document decoded (the 500 pages allowed: ~50 MiB)
MAX_PAGE_OPERATORS = 200_000  # a page's drawing operators; a dense page of text or a table has ~10,000
# A damaged Flate stream (cut short, or garbage inside) is inflated by pdfminer a byte at a time, in time
# that grows with the square of its size: 4 MiB takes half a second, 64 MiB minutes.
MAX_DAMAGED_BYTES = 4 << 20
_CHUNK = 1 << 16  # compressed bytes fed to a decoder at a time: it stops within one chunk of its limit
_SCAN = 1 << 20  # decoded content counted at a time (a string cut by a chunk's end is miscounted, not missed)

_STREAM = regex.compile(rb"(?<![A-Za-z])stream(?:\r\n|\n|\r)")
_OBJ = regex.compile(rb"\bobj\b")
_FILTER = regex.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]+)")
_NAME = regex.compile(rb"/([^\s/\[\]<>()]+)")
_LENGTH = regex.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_IMAGE = regex.compile(rb"/Subtype\s*/Image\b")
# A content stream's tokens that are not operators: strings (one level of parentheses nested inside,
# as text in parentheses is written), hexadecimal strings, names, comments.
_OPERANDS = regex.compile(
    rb"\((?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*\)|<[0-9A-Fa-f\s]*>|/[^\s/\[\]<>(){}%]*|%[^\r\n]*", regex.S
)
_OPERATOR = regex.compile(rb"(?<![A-Za-z0-9.*'\"_])(?:[A-Za-z][A-Za-z0-9*]{0,2}|['\"])(?![A-Za-z0-9*'\"_])")
_DO = regex.compile(rb"/([^\s/\[\]<>(){}%]+)\s+Do(?![A-Za-z0-9])")


# --- every stream of the file, decoded up to the limits -----------------------------------------


def check_streams(data: bytes, path: Path) -> None:
    """``DocumentTooLarge`` when a stream of the PDF ``data`` decodes to more than ``MAX_STREAM_BYTES``
    or all of them to more than ``MAX_DOCUMENT_BYTES``; each is decoded only that far."""
    total = 0
    for start, end, dictionary in _streams(data):
        if _IMAGE.search(dictionary):
            continue
        try:
            size = _decoded_size(data[start:end], _filters(dictionary), MAX_STREAM_BYTES)
        except _Damaged as exc:
            raise DocumentTooLarge(
                f"{path}: a damaged stream at byte {start} decodes to {exc.args[0] / (1 << 20):.0f} MiB, more than the "
                f"{MAX_DAMAGED_BYTES >> 20} MiB allowed a damaged stream (which pdfminer repairs slowly)"
            ) from None
        if size > MAX_STREAM_BYTES:
            raise DocumentTooLarge(
                f"{path}: a stream at byte {start} decodes to more than {MAX_STREAM_BYTES >> 20} MiB "
                "(a compression bomb?)"
            )
        total += size
        if total > MAX_DOCUMENT_BYTES:
            raise DocumentTooLarge(
                f"{path}: its streams decode to more than {MAX_DOCUMENT_BYTES >> 20} MiB (a compression bomb?)"
            )


def _streams(data: bytes) -> Iterator[tuple[int, int, bytes]]:
    """``(start, end, dictionary)`` of every stream in the file's bytes, in order.

    The dictionary is the text between the object's ``obj`` and the ``stream`` keyword (at most 64 KiB
    of it); the end is the stream's ``/Length`` when it is written in the dictionary and fits,
    else its ``endstream``.
    """
    position = 0
    while (found := _STREAM.search(data, position)) is not None:
        start = found.end()
        window = max(found.start() - (1 << 16), 0)
        opened = data.rfind(b"obj", window, found.start())
        dictionary = data[opened + 3 if opened >= 0 else window : found.start()]
        length = _LENGTH.search(dictionary)
        end = start + int(length.group(1)) if length else -1
        if end < start or end > len(data) or b"endstream" not in data[end : end + 32]:
            end = data.find(b"endstream", start)
            end = len(data) if end < 0 else end
        yield start, end, dictionary
        position = max(end, start)


def _filters(dictionary: bytes) -> list[bytes]:
    """The names of the stream's filters, in the order they are undone; a dictionary cut off before
    its ``/Filter`` (64 KiB of padding) is taken as Flate, so its stream is measured all the same."""
    found = _FILTER.search(dictionary)
    if found is None:
        return [] if b"<<" in dictionary else [b"FlateDecode"]
    return _NAME.findall(found.group(1))


def _decoded_size(raw: bytes, filters: list[bytes], limit: int) -> int:
    """The stream's size once its filters are undone, or ``limit + 1`` as soon as it is past ``limit``."""
    data = raw
    for name in filters:
        decode = _DECODERS.get(name.decode("latin-1"))
        if decode is None:  # an image codec (DCT, JPX, JBIG2, CCITT) or one pdfminer refuses: not decoded
            break
        data = decode(data, limit)
        if len(data) > limit:
            return limit + 1
    return len(data)


class _Damaged(Exception):
    """A damaged Flate stream that inflates past ``MAX_DAMAGED_BYTES``; ``args[0]``: how far it got."""


def _inflate(raw: bytes, limit: int) -> bytes:
    """Flate, stopped past ``limit``. A damaged stream gives what inflates before the damage, as
    pdfminer's fallback does, and ``_Damaged`` past ``MAX_DAMAGED_BYTES``."""
    inflater = zlib.decompressobj()
    out = bytearray()
    damaged = False
    for at in range(0, len(raw), _CHUNK):
        try:
            out += inflater.decompress(raw[at : at + _CHUNK], limit + 1 - len(out))
            while inflater.unconsumed_tail and len(out) <= limit:
                out += inflater.decompress(inflater.unconsumed_tail, limit + 1 - len(out))
        except zlib.error:
            damaged = True
            break
        if len(out) > limit or inflater.eof:
            break
    if (damaged or not inflater.eof) and MAX_DAMAGED_BYTES < len(out) <= limit:  # past the limit: refused as such
        raise _Damaged(len(out))
    return bytes(out)


def _unlzw(raw: bytes, limit: int) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out = bytearray()
    try:
        for piece in LZWDecoder(io.BytesIO(raw)).run():
            out += piece
            if len(out) > limit:
                break
    except Exception:  # pdfminer's own decoder gives up on damage in its own ways: what came so far
        pass
    return bytes(out)


def _unrun(raw: bytes, limit: int) -> bytes:
    """RunLength (up to 128 bytes from 2), stopped past ``limit``."""
    out = bytearray()
    at = 0
    while at < len(raw) and len(out) <= limit:
        length = raw[at]
        if length == 128:
            break
        if length < 128:
            out += raw[at + 1 : at + 2 + length]
            at += 2 + length
        else:
            out += raw[at + 1 : at + 2] * (257 - length)
            at += 2
    return bytes(out)


def _ascii(decode: Callable[[bytes], bytes]) -> Callable[[bytes, int], bytes]:
    """An ASCII filter (at most 4 bytes out of 1, from a stream already bounded)."""

    def bounded(raw: bytes, limit: int) -> bytes:
        try:
            return decode(raw)
        except Exception:
            return b""

    return bounded


def _decoders() -> dict[str, Callable[[bytes, int], bytes]]:
    from pdfminer.ascii85 import ascii85decode, asciihexdecode

    return {
        "FlateDecode": _inflate,
        "Fl": _inflate,
        "LZWDecode": _unlzw,
        "LZW": _unlzw,
        "RunLengthDecode": _unrun,
        "RL": _unrun,
        "ASCII85Decode": _ascii(ascii85decode),
        "A85": _ascii(ascii85decode),
        "ASCIIHexDecode": _ascii(asciihexdecode),
        "AHx": _ascii(asciihexdecode),
    }


_DECODERS = _decoders()


# --- a page's operators -------------------------------------------------------------------------


def check_page(page, path: Path, number: int) -> None:
    """``DocumentTooLarge`` when page ``number`` (a pdfminer ``PDFPage``) would run more than
    ``MAX_PAGE_OPERATORS`` operators: its contents', and each form's as often as the page draws it."""
    from pdfminer.pdftypes import resolve1

    count = page_operators(page.contents, resolve1(page.resources), MAX_PAGE_OPERATORS)
    if count > MAX_PAGE_OPERATORS:
        raise DocumentTooLarge(
            f"{path}: page {number} has more than {MAX_PAGE_OPERATORS:,} drawing operators".replace(",", " ")
        )


def page_operators(streams: list, resources, limit: int) -> int:
    """The operators that drawing ``streams`` with ``resources`` runs, counted up to ``limit + 1``."""
    return _Counter(limit).run(streams, resources, ())


class _Counter:
    """Operators counted through the forms a content stream draws (each form counted once, then
    added each time it is drawn; a form that draws itself is drawn no further, as pdfminer does)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.forms: dict[int, int] = {}

    def run(self, streams: list, resources, within: tuple[int, ...]) -> int:
        from pdfminer.pdftypes import PDFStream, dict_value, resolve1

        xobjects = dict_value(resolve1((resources or {}).get("XObject"))) if isinstance(resources, dict) else {}
        total = 0
        for item in streams:
            stream = resolve1(item)
            if not isinstance(stream, PDFStream):
                continue
            for piece in _pieces(stream.get_data()):
                total += len(_OPERATOR.findall(_OPERANDS.sub(b" ", piece)))
                for name in _DO.findall(piece):
                    total += self._form(xobjects.get(name.decode("latin-1")), resources, within)
                if total > self.limit:
                    return total
        return total

    def _form(self, reference, resources, within: tuple[int, ...]) -> int:
        from pdfminer.pdftypes import PDFStream, resolve1
        from pdfminer.psparser import LIT

        form = resolve1(reference)
        if not isinstance(form, PDFStream) or form.get("Subtype") is not LIT("Form"):
            return 0
        key = form.objid if form.objid is not None else id(form)
        if key in within:
            return 0
        if key not in self.forms:
            own = resolve1(form.get("Resources")) or resources
            self.forms[key] = self.run([form], own, (*within, key))
        return self.forms[key]


def _pieces(data: bytes) -> Iterator[bytes]:
    """The decoded content in pieces of about ``_SCAN`` bytes, each ending at white space."""
    at = 0
    while at < len(data):
        end = min(at + _SCAN, len(data))
        if end < len(data):
            space = max(data.rfind(b" ", at, end), data.rfind(b"\n", at, end))
            end = space + 1 if space > at else end
        yield data[at:end]
        at = end
