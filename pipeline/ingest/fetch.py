"""Fetching agreements over HTTP: an index page's links, then each document, politely and safely.

- Only the hosts a source names are contacted; links elsewhere are skipped and reported.
- A name from the web is never a path: a download is written to a temporary file in the
  downloads folder and renamed to its content hash (``<sha16>.pdf``), the suffix chosen from the
  bytes (``%PDF-``) or from a short list, never taken from the URL as is.
- Timeouts on connecting and on every read, a size cap checked against ``Content-Length`` and
  again while streaming, and ``ETag``/``Last-Modified`` remembered so a known document answers
  ``304 Not Modified`` instead of being sent again.
- Errors say whether a retry can help (``FetchError.transient``: 5xx, 429, timeouts, broken
  connections) or not (404, too large): the flow retries only the first kind.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

from pipeline.ingest.config import HttpSettings, HttpSource
from pipeline.store.files import temporary_file, write_atomic

STATE = ".fetched.json"  # url → validators and the file they gave, in the downloads folder
SUFFIXES = {".pdf", ".txt", ".md"}
TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}


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
    allowed = {h.lower() for h in source.allowed_hosts}
    for link in links:
        if not any(fnmatch.fnmatch(link.name.lower(), p.lower()) for p in source.patterns):
            continue
        host = (urlsplit(link.url).hostname or "").lower()
        if host not in allowed:
            skipped.append(f"{link.url}: host {host!r} is not allowed for source {source.name!r}")
            continue
        chosen.append(link)
    return chosen, skipped


def client(settings: HttpSettings):
    import httpx

    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout),
        follow_redirects=True,
        headers={"User-Agent": settings.user_agent},
        max_redirects=5,
    )


def fetch_index(source: HttpSource, settings: HttpSettings) -> list[Link]:
    """The agreement links of a source's index page."""
    import httpx

    with client(settings) as http:
        try:
            response = http.get(source.url)
        except httpx.HTTPError as exc:
            raise FetchError(f"{source.url}: {type(exc).__name__}: {exc}", transient=True) from exc
        _check(response, source.url, allowed=source.allowed_hosts)
        if len(response.content) > settings.max_bytes:
            raise FetchError(f"{source.url}: index page larger than {settings.max_bytes} bytes", transient=False)
        return links_in(str(response.url), response.text)


def download(link: Link, source: HttpSource, settings: HttpSettings, folder: Path) -> Download:
    """Fetch one document into ``folder`` (named by its hash); a known unchanged one is not sent again."""
    import httpx

    folder.mkdir(parents=True, exist_ok=True)
    state = _state(folder)
    known = state.get(link.url)
    headers = {}
    if known and (folder / known["file"]).exists():
        if known.get("etag"):
            headers["If-None-Match"] = known["etag"]
        if known.get("last_modified"):
            headers["If-Modified-Since"] = known["last_modified"]
    with client(settings) as http:
        try:
            with http.stream("GET", link.url, headers=headers) as response:
                if response.status_code == 304 and known:
                    return Download(link.url, folder / known["file"], known["sha256"], fresh=False)
                _check(response, link.url, allowed=source.allowed_hosts)
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > settings.max_bytes:
                    raise FetchError(
                        f"{link.url}: {int(length)} bytes, larger than the limit of {settings.max_bytes}",
                        transient=False,
                    )
                path, sha = _save(response, link, folder, settings.max_bytes)
                validators = {
                    "etag": response.headers.get("ETag"),
                    "last_modified": response.headers.get("Last-Modified"),
                }
        except httpx.HTTPError as exc:
            raise FetchError(f"{link.url}: {type(exc).__name__}: {exc}", transient=True) from exc
    state = _state(folder)  # re-read: other downloads of this run may have written it
    state[link.url] = {"file": path.name, "sha256": sha, **validators}
    write_atomic(folder / STATE, json.dumps(state, indent=1, sort_keys=True) + "\n")
    return Download(link.url, path, sha, fresh=True)


def _check(response, url: str, *, allowed: list[str]) -> None:
    """Refuse error answers (saying whether a retry can help) and redirects to other hosts."""
    host = (response.url.host or "").lower()
    if host not in {h.lower() for h in allowed}:
        raise FetchError(f"{url}: redirected to host {host!r}, which is not allowed", transient=False)
    if response.status_code >= 400:
        raise FetchError(
            f"{url}: HTTP {response.status_code} {response.reason_phrase}",
            transient=response.status_code in TRANSIENT_STATUS,
        )


def _save(response, link: Link, folder: Path, max_bytes: int) -> tuple[Path, str]:
    """Stream the body to a temporary file, hashing it, then rename it to ``<sha16><suffix>``."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle, temp = temporary_file(folder, prefix=".download-", suffix=".part")  # readable as the umask says
    try:
        with os.fdopen(handle, "wb") as out:
            for chunk in response.iter_bytes(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"{link.url}: larger than the limit of {max_bytes} bytes", transient=False)
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


def _state(folder: Path) -> dict:
    path = folder / STATE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
