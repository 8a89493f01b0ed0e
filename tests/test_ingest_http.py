"""An HTTP source served by a real ``http.server`` on 127.0.0.1: an agency's index page linking to
agreements, with a slow answer, a 500 then success, a file over the size cap, names with ``../``
in them, and a link to a host that is not allowed."""

from __future__ import annotations

import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import KEHA_MD, VALTORI_TXT
from versions import VALTORI_REVISION, apply

from pipeline.ingest.config import HttpSettings, HttpSource
from pipeline.ingest.fetch import FetchError, Link, download, links_in, select
from schemas.catalog import Catalog, QuarantineRecord

INDEX = """<!doctype html><html><body>
<h1>Tulossopimukset</h1>
<a href="sopimukset/valtori.txt">Valtori 2024–2027</a>
<a href="sopimukset/hidas/valtori-2025.txt">Valtori, tarkistus 2025 (slow server)</a>
<a href="sopimukset/epavakaa.txt">Valtori, another copy (500 first)</a>
<a href="../../keha.md">KEHA-keskus (../ in the link)</a>
<a href="sopimukset/..%2F..%2Fpako.md">escaping name</a>
<a href="sopimukset/valtava.pdf">too large</a>
<a href="http://example.invalid/vieras.pdf">other host</a>
<a href="tietosuoja.html">not an agreement</a>
<a href="sopimukset/valtori.txt#sivu2">the same again</a>
</body></html>"""


class Site:
    """What the server serves, and what it was asked."""

    def __init__(self) -> None:
        valtori = VALTORI_TXT.read_bytes()
        self.files = {
            "/tulossopimukset/index.html": INDEX.encode(),
            "/tulossopimukset/sopimukset/valtori.txt": valtori,
            "/tulossopimukset/sopimukset/hidas/valtori-2025.txt": apply(
                VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION
            ).encode(),
            "/tulossopimukset/sopimukset/epavakaa.txt": valtori + b"\n",
            "/keha.md": KEHA_MD.read_bytes(),
            "/tulossopimukset/sopimukset/..%2F..%2Fpako.md": KEHA_MD.read_bytes() + b"\n",
        }
        self.requests: list[tuple[str, str | None]] = []
        self.failures_left = {"/tulossopimukset/sopimukset/epavakaa.txt": 1}
        self.lock = threading.Lock()


def _handler(site: Site):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def do_GET(self) -> None:
            with site.lock:
                site.requests.append((self.path, self.headers.get("If-None-Match")))
                fail = site.failures_left.get(self.path, 0)
                if fail:
                    site.failures_left[self.path] = fail - 1
            if fail:
                self.send_error(500, "Internal Server Error")
                return
            if self.path == "/tulossopimukset/sopimukset/valtava.pdf":
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(50_000_000))
                self.end_headers()
                self.wfile.write(b"%PDF-1.4\n" + b"0" * 1000)
                return
            body = site.files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            if "/hidas/" in self.path:
                time.sleep(1.0)  # slow, but within the timeout
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if self.path.endswith(".html") else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def site():
    site = Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    site.url = f"http://127.0.0.1:{server.server_address[1]}/tulossopimukset/index.html"
    yield site
    server.shutdown()
    server.server_close()


def _config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "sources" / "sources.toml"
    config.parent.mkdir()
    config.write_text(
        f"""
[http]
timeout = 5
retries = 2
backoff = 0.1
max_bytes = 1_000_000

[[source]]
name = "virasto"
kind = "http"
url = "{url}"
patterns = ["*.txt", "*.md", "*.pdf"]
""",
        encoding="utf-8",
    )
    return config


def test_http_source_end_to_end(site, tmp_path, prefect_api):
    from pipeline.flows.ingest import ingest

    config = _config(tmp_path, site.url)
    output = tmp_path / "output"
    report = ingest(sources=str(config), output=str(output))
    base = site.url.rsplit("/", 1)[0]
    assert sorted(v["source"] for v in report["versions"]) == sorted(
        [
            f"{base}/sopimukset/hidas/valtori-2025.txt",
            f"{base}/sopimukset/valtori.txt",
            site.url.split("/tulossopimukset")[0] + "/keha.md",
        ]
    )
    assert sorted(c["source"] for c in report["copies"]) == [
        f"{base}/sopimukset/..%2F..%2Fpako.md",
        f"{base}/sopimukset/epavakaa.txt",
    ]
    assert [d["changes"] for d in report["diffs"]] == [47]
    # The 500 was retried; the file over the cap was refused without reading it; the other host never asked.
    asked = [path for path, _ in site.requests]
    assert asked.count("/tulossopimukset/sopimukset/epavakaa.txt") == 2
    assert report["fetch_failed"] == [
        f"{base}/sopimukset/valtava.pdf: document of 50000000 bytes, larger than the limit of 1000000"
    ]
    assert report["skipped_links"] == [
        "http://example.invalid/vieras.pdf: host 'example.invalid' is not allowed for source 'virasto'"
    ]
    [fetch_record] = list((output / "quarantine").glob("url-*.json"))
    record = QuarantineRecord.model_validate_json(fetch_record.read_text(encoding="utf-8"))
    assert (record.source, record.sha256) == (f"{base}/sopimukset/valtava.pdf", None)
    # Names from the web never became paths: every download is named by its hash, inside downloads/.
    names = sorted(p.name for p in (output / "downloads").iterdir())
    assert names[0] == ".fetched.json" and all(
        len(n.split(".")[0]) == 16 and n.split(".")[1] in ("txt", "md") for n in names[1:]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "sources"]
    catalog = Catalog.model_validate_json((output / "catalog.json").read_text(encoding="utf-8"))
    newest = catalog.series["valtori"].versions[-1]
    assert newest.source.endswith("/hidas/valtori-2025.txt") and newest.local_path.startswith("downloads/")

    # Next run: every document answers 304 Not Modified to its ETag; nothing new, nothing sent again.
    site.requests.clear()
    again = ingest(sources=str(config), output=str(output))
    assert again["versions"] == [] and again["copies"] == [] and len(again["known"]) == 5
    conditional = [etag for path, etag in site.requests if path.endswith((".txt", ".md")) and "index" not in path]
    assert len(conditional) == 5 and all(conditional)


def test_fetch_errors_say_whether_a_retry_can_help(site, tmp_path):
    source = HttpSource(name="s", kind="http", url=site.url)
    settings = HttpSettings(timeout=0.5, retries=0, backoff=0, max_bytes=1_000_000)
    base = site.url.rsplit("/", 1)[0]
    with pytest.raises(FetchError) as missing:
        download(Link(f"{base}/puuttuu.pdf", "puuttuu.pdf"), source, settings, tmp_path)
    assert not missing.value.transient and "HTTP 404" in str(missing.value)
    with pytest.raises(FetchError) as slow:
        download(Link(f"{base}/sopimukset/hidas/valtori-2025.txt", "valtori-2025.txt"), source, settings, tmp_path)
    assert slow.value.transient and "Timeout" in str(slow.value)
    with pytest.raises(FetchError) as flaky:
        download(Link(f"{base}/sopimukset/epavakaa.txt", "epavakaa.txt"), source, settings, tmp_path)
    assert flaky.value.transient and "HTTP 500" in str(flaky.value)
    assert list(tmp_path.iterdir()) == []  # nothing half-downloaded left behind


def test_links_are_resolved_and_filtered():
    page = "http://agency.example/a/b/index.html"
    links = links_in(page, INDEX)
    assert [link.url for link in links][:4] == [
        "http://agency.example/a/b/sopimukset/valtori.txt",
        "http://agency.example/a/b/sopimukset/hidas/valtori-2025.txt",
        "http://agency.example/a/b/sopimukset/epavakaa.txt",
        "http://agency.example/keha.md",
    ]
    assert links[4].name == "../../pako.md"  # decoded for matching; never used as a path
    assert len(links) == 8  # the fragment-only repeat is the same document
    chosen, skipped = select(HttpSource(name="s", kind="http", url=page, patterns=["*.txt", "*.md", "*.pdf"]), links)
    assert [link.name for link in chosen] == [
        "valtori.txt",
        "valtori-2025.txt",
        "epavakaa.txt",
        "keha.md",
        "../../pako.md",
        "valtava.pdf",
    ]
    assert skipped == ["http://example.invalid/vieras.pdf: host 'example.invalid' is not allowed for source 's'"]
