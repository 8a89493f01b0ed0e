"""Fetching agreements over HTTP: an index page's links, then each document, politely and safely.

- Only the hosts a source names are contacted. Links elsewhere are skipped and reported. Redirects are
  followed here, hop by hop, and each hop's host is checked *before* it is asked: a redirect to a host
  that is not allowed sends nothing there, and the error names the host alone, so it reads the same
  whether or not something would have answered (no blind requests to internal hosts, no port scan).
  A port other than its scheme's own (80, 443) or the index page's is another place: ``host:port`` in
  ``allowed_hosts`` allows one.
- Bounded: a timeout on connecting and on every read; a deadline for the whole of each request (every
  hop, the headers, the body), however steadily the bytes come, at which its connection is shut; size
  caps on the *decoded* bytes, counted as they arrive (a small gzip answer that inflates to gigabytes
  stops at the cap): ``max_bytes`` for a document, first against its ``Content-Length``, and
  ``max_index_bytes`` for an index page.
- A name from the web is never a path: a download is written to a temporary file in the downloads
  folder and renamed to its content hash (``<sha16>.pdf``), the suffix chosen from the bytes (``%PDF-``)
  or from a short list, never taken from the URL as is.
- ``ETag``/``Last-Modified`` are remembered (``FetchState``: the downloads folder's ``.fetched.json``,
  read once per run and written in batches) so a known document answers ``304 Not Modified`` instead of
  being sent again.
- Errors say whether a retry can help (``FetchError.transient``: 5xx, 429, timeouts, broken
  connections) or not (404, too large, too slow in all, a host not allowed): the flow retries only the
  first kind.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import os
import socket
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from pipeline.ingest.config import HttpSettings, HttpSource
from pipeline.store.files import temporary_file, write_atomic

STATE = ".fetched.json"  # url → validators and the file they gave, in the downloads folder
SUFFIXES = {".pdf", ".txt", ".md"}
TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
DEFAULT_PORTS = {"http": 80, "https": 443}
ENCODINGS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}  # asked for
PIECE = 1 << 16  # the most bytes inflated at once


class FetchError(Exception):
    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Link:
    url: str
    name: str  # the last path segment, decoded: for matching patterns and for people, never a path


@dataclass(frozen=True)
class Download:
    url: str
    path: Path  # in the downloads folder, named by hash
    sha256: str
    fresh: bool  # False when the server answered 304 and the known file was used
    etag: str | None = None
    last_modified: str | None = None


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href.strip())


def links_in(page_url: str, html: str) -> list[Link]:
    """Every ``<a href>`` of a page as an absolute http(s) URL, in page order, without repeats."""
    parser = _Links()
    parser.feed(html)
    seen: set[str] = set()
    links = []
    for href in parser.hrefs:
        url = urljoin(page_url, href).split("#", 1)[0]
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        name = unquote(PurePosixPath(urlsplit(url).path).name)
        links.append(Link(url, name))
    return links


def select(source: HttpSource, links: list[Link]) -> tuple[list[Link], list[str]]:
    """The links to follow, and a reason for each agreement-like link that is not followed."""
    chosen, skipped = [], []
    allowed = allowed_places(source)
    for link in links:
        if not any(fnmatch.fnmatch(link.name.lower(), p.lower()) for p in source.patterns):
            continue
        where = place(link.url)
        if where not in allowed:
            skipped.append(f"{link.url}: host {where!r} is not allowed for source {source.name!r}")
            continue
        chosen.append(link)
    return chosen, skipped


def place(url: str) -> str:
    """Where a URL leads, as ``allowed_hosts`` names it: its host (lower case, IDNA), with ``:port`` when the
    port is not its scheme's own."""
    parts = urlsplit(url)
    host = _host(parts.hostname or "")
    try:
        port = parts.port
    except ValueError:  # not a port: nowhere allowed
        return parts.netloc.rpartition("@")[2]
    if port is None or port == DEFAULT_PORTS.get(parts.scheme):
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def allowed_places(source: HttpSource) -> set[str]:
    """The places a source's documents may come from: its ``allowed_hosts`` (on their schemes' own ports,
    or as ``host:port``), and the index page's own host and port."""
    allowed = {_host(entry) for entry in source.allowed_hosts}
    allowed.add(place(source.url))
    return allowed


def _host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        return host


def client(settings: HttpSettings):
    """An HTTP client for one source's fetches, one request at a time. Redirects are not followed by httpx
    (``_get`` follows them, checking each hop first); every request opens a connection of its own (no
    keep-alive), so that its deadline can shut that connection and nothing else."""
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=False,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
    )


def fetch_index(source: HttpSource, settings: HttpSettings) -> list[Link]:
    """The agreement links of a source's index page."""
    with client(settings) as http, _get(http, source.url, source, settings) as (response, deadline):
        _check(response, source.url)
        _refuse_declared(response, source.url, settings.max_index_bytes, "index page")
        body = b"".join(_body(response, source.url, settings.max_index_bytes, deadline, "index page"))
        return links_in(str(response.url), body.decode(response.encoding or "utf-8", errors="replace"))


def download(
    link: Link, source: HttpSource, settings: HttpSettings, folder: Path, known: dict | None = None, http=None
) -> Download:
    """Fetch one document into ``folder`` (named by its hash). ``known``: what the URL gave last time (an
    entry of ``FetchState``); if its file is still there, the server is asked whether it changed, and a
    ``304`` gives the known file back. ``http``: a ``client`` to use (one is made for this call without)."""
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / PurePosixPath(known["file"]).name if known else None  # a name in the folder, never a path
    if kept is None or not kept.is_file():
        known = None
    headers = {}
    if known and known.get("etag"):
        headers["If-None-Match"] = known["etag"]
    if known and known.get("last_modified"):
        headers["If-Modified-Since"] = known["last_modified"]
    with contextlib.ExitStack() as stack:
        if http is None:
            http = stack.enter_context(client(settings))
        response, deadline = stack.enter_context(_get(http, link.url, source, settings, headers))
        if response.status_code == 304 and known:
            return Download(link.url, kept, known["sha256"], False, known.get("etag"), known.get("last_modified"))
        _check(response, link.url)
        _refuse_declared(response, link.url, settings.max_bytes, "document")
        path, sha = _save(_body(response, link.url, settings.max_bytes, deadline, "document"), link, folder)
        return Download(link.url, path, sha, True, response.headers.get("ETag"), response.headers.get("Last-Modified"))


class _Deadline:
    """The deadline of one request. When it passes, the connection in use is shut down, which ends any
    read waiting on it (headers or body dripping in one byte at a time never meet a read timeout).

    The connection is learnt from httpcore's ``trace`` extension as it opens (TCP, then TLS); each request
    has a connection of its own (``client``), so it is this request's.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self._connection = None
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.ends

    def left(self) -> float:
        return max(self.ends - time.monotonic(), 0.001)

    def trace(self, event: str, info: dict) -> None:
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self._connection = info.get("return_value")
            if self.passed:  # opened just as the deadline passed: the timer has already looked
                self._cut()

    def _cut(self) -> None:
        connection = self._connection
        sock = connection.get_extra_info("socket") if connection is not None else None
        if sock is not None:
            with contextlib.suppress(OSError):
                socket.socket.shutdown(sock, socket.SHUT_RDWR)  # for TLS too: the socket under it

    def error(self, url: str) -> FetchError:
        # not transient: a retry would take as long again (the next run tries again)
        return FetchError(f"{url}: no complete answer within the deadline of {self.seconds:g} s", transient=False)


@contextlib.contextmanager
def _get(http, url: str, source: HttpSource, settings: HttpSettings, headers: dict | None = None):
    """GET ``url`` as a streamed response, with its ``_Deadline``: redirects followed here, each hop's
    scheme and host checked before anything is sent to it; ``FetchError`` for whatever goes wrong."""
    import httpx

    allowed = allowed_places(source)
    response = None
    with _Deadline(settings.deadline) as deadline:
        try:
            request = http.build_request("GET", url, headers=headers)
            for hop in range(settings.max_redirects + 1):
                target = str(request.url)
                what = "redirect to" if hop else "link to"
                if request.url.scheme not in DEFAULT_PORTS:
                    raise FetchError(f"{url}: {what} a URL that is not http(s): {request.url.scheme}:", transient=False)
                if place(target) not in allowed:
                    raise FetchError(f"{url}: {what} a host not allowed: {place(target)}", transient=False)
                request.extensions["timeout"] = httpx.Timeout(min(settings.timeout, deadline.left())).as_dict()
                request.extensions["trace"] = deadline.trace
                response = http.send(request, stream=True)
                if response.next_request is None:
                    break
                response.close()
                request = response.next_request
            else:
                raise FetchError(f"{url}: more than {settings.max_redirects} redirects", transient=False)
            yield response, deadline
        except httpx.HTTPError as exc:
            if deadline.passed:
                raise deadline.error(url) from exc
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}", transient=True) from exc
        finally:
            if response is not None:
                response.close()


def _check(response, url: str) -> None:
    """Refuse error answers, saying whether a retry can help (a redirect is never the answer: ``_get``)."""
    if response.status_code >= 300:
        raise FetchError(
            f"{url}: HTTP {response.status_code} {response.reason_phrase}",
            transient=response.status_code in TRANSIENT_STATUS,
        )


def _refuse_declared(response, url: str, cap: int, what: str) -> None:
    """Refuse an answer that says it is over the cap, before reading it."""
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > cap:
        raise FetchError(f"{url}: {what} of {int(length)} bytes, larger than the limit of {cap}", transient=False)


def _body(response, url: str, cap: int, deadline: _Deadline, what: str) -> Iterator[bytes]:
    """The decoded body as it arrives, refused as soon as it passes ``cap`` decoded bytes or the deadline."""
    size = 0
    for chunk in _decoded(response, url):
        size += len(chunk)
        if size > cap:
            raise FetchError(f"{url}: {what} larger than the limit of {cap} bytes", transient=False)
        if deadline.passed:
            raise deadline.error(url)
        yield chunk


def _decoded(response, url: str) -> Iterator[bytes]:
    """The body as it arrives, inflated here rather than by httpx, ``PIECE`` bytes at a time: httpx inflates
    each network read whole, and 64 KB of a gzip bomb is 64 MB. Only gzip and deflate are asked for
    (``client``); another encoding is refused."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding in ("", "identity"):
        yield from response.iter_raw()
        return
    if encoding not in ENCODINGS:
        raise FetchError(f"{url}: content encoding {encoding!r}, which was not asked for", transient=False)
    inflater = zlib.decompressobj(ENCODINGS[encoding])
    before = b"" if encoding == "deflate" else None  # what was read before any output, to read again as raw deflate
    for data in response.iter_raw():
        while not inflater.eof:
            try:
                piece = inflater.decompress(data, PIECE)
            except zlib.error as exc:
                if before is None:
                    raise FetchError(f"{url}: not valid {encoding} ({exc})", transient=False) from exc
                # deflate without its zlib wrapper, as some servers send it
                inflater, data, before = zlib.decompressobj(-zlib.MAX_WBITS), before + data, None
                continue
            if before is not None:
                before = None if piece else before + data[: len(data) - len(inflater.unconsumed_tail)]
            data = inflater.unconsumed_tail
            if not piece and not data:  # this read is used up (zlib may hold back output: asked again until none)
                break
            yield piece
    if not inflater.eof:
        raise FetchError(f"{url}: the {encoding} stream is cut short", transient=False)


def _save(chunks: Iterable[bytes], link: Link, folder: Path) -> tuple[Path, str]:
    """Write the body to a temporary file, hashing it, then rename it to ``<sha16><suffix>``."""
    digest = hashlib.sha256()
    head = b""
    handle, temp = temporary_file(folder, prefix=".download-", suffix=".part")  # readable as the umask says
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in chunks:
                if len(head) < 8:
                    head += chunk[:8]
                digest.update(chunk)
                out.write(chunk)
        sha = digest.hexdigest()
        path = folder / f"{sha[:16]}{_suffix(head, link)}"
        os.replace(temp, path)
        return path, sha
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _suffix(head: bytes, link: Link) -> str:
    if head.startswith(b"%PDF-"):
        return ".pdf"
    suffix = PurePosixPath(link.name).suffix.lower()
    return suffix if suffix in SUFFIXES else ".txt"  # a ".pdf" that is not one fails as such, clearly


class FetchState:
    """The downloads folder's ``.fetched.json``: what each URL gave last time (its file, hash and validators).

    Read once per run and written every ``batch`` new downloads and at the end (``save``), not after each
    download: thousands of links cost a few writes. A run killed between two writes has lost only the
    validators of its last downloads; their files are kept, and the next run fetches them once more.
    """

    def __init__(self, folder: Path, batch: int = 500) -> None:
        self.folder = folder
        self.batch = batch
        self.unsaved = 0
        try:
            self.entries: dict[str, dict] = json.loads((folder / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        if not isinstance(self.entries, dict):
            self.entries = {}

    def known(self, url: str) -> dict | None:
        entry = self.entries.get(url)
        usable = isinstance(entry, dict) and all(isinstance(entry.get(key), str) for key in ("file", "sha256"))
        return entry if usable else None

    def record(self, got: Download) -> None:
        if not got.fresh:
            return
        self.entries[got.url] = {
            "file": got.path.name,
            "sha256": got.sha256,
            "etag": got.etag,
            "last_modified": got.last_modified,
        }
        self.unsaved += 1
        if self.unsaved >= self.batch:
            self.save()

    def save(self) -> None:
        if not self.unsaved:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        write_atomic(self.folder / STATE, json.dumps(self.entries, indent=1, sort_keys=True) + "\n")
        self.unsaved = 0
