"""HTTP limits that hold, against real servers on 127.0.0.1: a redirect to a host that is not allowed is
refused before anything is sent there, a gzip bomb stops at the size cap, a server that drips one byte at
a time is cut at the deadline, and thousands of links cost a few writes of the state file."""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pipeline.ingest import fetch
from pipeline.ingest.config import HttpSettings, HttpSource
from pipeline.ingest.fetch import STATE, FetchError, FetchState, Link, client, download, fetch_index

MB = 1 << 20
DOCUMENT = "Tulossopimus 2026–2029\n\nTavoite 1: palvelut toimivat.\n".encode()


class Server:
    """A real HTTP server on 127.0.0.1; ``routes`` maps a path to what answers it. Counts every request."""

    def __init__(self, routes: dict[str, Callable[[BaseHTTPRequestHandler], None]]) -> None:
        self.routes = routes
        self.requests: list[str] = []
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                route = server.routes.get(self.path)
                if route is None:
                    self.send_error(404)
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a bounded client hung up
                    route(self)

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.http.serve_forever, args=(0.05,), daemon=True).start()

    def close(self) -> None:
        self.closing.set()
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def serve():
    servers: list[Server] = []

    def start(routes: dict) -> Server:
        servers.append(Server(routes))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def body(data: bytes, content_type: str = "text/plain", **headers: str):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name.replace("_", "-"), value)
        handler.end_headers()
        handler.wfile.write(data)

    return answer


def redirect(location: str, status: int = 302):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def index(*hrefs: str) -> bytes:
    return ("<html><body>" + "".join(f'<a href="{h}">{h}</a>' for h in hrefs) + "</body></html>").encode()


def source(server: Server, path: str = "/index.html", **options) -> HttpSource:
    return HttpSource(name="virasto", kind="http", url=server.base + path, patterns=["*.txt", "*.pdf"], **options)


def settings(**options) -> HttpSettings:
    return HttpSettings(**{"timeout": 5, "retries": 0, "backoff": 0, **options})


def link(url: str) -> Link:
    return Link(url, url.rsplit("/", 1)[1])


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- redirects -------------------------------------------------------------------------------------


def test_a_redirect_to_a_foreign_host_sends_nothing_there(serve, tmp_path):
    foreign = serve({"/sisainen.txt": body(DOCUMENT)})  # an internal service, say: it must hear nothing
    nobody = closed_port()
    site = serve({})
    site.routes.update(
        {
            "/index.html": body(index("a.txt", "b.txt", "c.txt", "d.txt"), "text/html"),
            "/a.txt": redirect(f"{foreign.base}/sisainen.txt"),
            "/b.txt": redirect(f"http://127.0.0.1:{nobody}/sisainen.txt"),
            "/c.txt": redirect(f"http://localhost:{foreign.port}/sisainen.txt", 307),
            "/d.txt": redirect("/muutettu/d.txt", 301),  # the same host: followed
            "/muutettu/d.txt": body(DOCUMENT, ETag='"d1"'),
        }
    )
    src, config = source(site), settings()
    errors = {}
    for name in "abc":
        with pytest.raises(FetchError) as refused:
            download(link(f"{site.base}/{name}.txt"), src, config, tmp_path)
        assert not refused.value.transient
        errors[name] = str(refused.value)
    assert errors == {
        "a": f"{site.base}/a.txt: redirect to a host not allowed: 127.0.0.1:{foreign.port}",
        "b": f"{site.base}/b.txt: redirect to a host not allowed: 127.0.0.1:{nobody}",
        "c": f"{site.base}/c.txt: redirect to a host not allowed: localhost:{foreign.port}",
    }
    # An open port and a closed one read the same: nothing tells whether something answers there.
    said = {name: error.split(": ", 1)[1] for name, error in errors.items()}
    assert said["a"].replace(str(foreign.port), "P") == said["b"].replace(str(nobody), "P")
    got = download(link(f"{site.base}/d.txt"), src, config, tmp_path)
    assert got.path.read_bytes() == DOCUMENT and got.etag == '"d1"' and got.fresh
    assert foreign.requests == []
    assert site.requests == ["/a.txt", "/b.txt", "/c.txt", "/d.txt", "/muutettu/d.txt"]
    assert [p.name for p in tmp_path.iterdir()] == [got.path.name]  # the refused left nothing behind

    # The index page's redirects are checked the same way; a port named in allowed_hosts is allowed.
    site.routes["/vanha.html"] = redirect(f"{foreign.base}/index.html")
    foreign.routes["/index.html"] = body(index("sisainen.txt"), "text/html")
    with pytest.raises(FetchError, match=rf"^{site.base}/vanha.html: redirect to a host not allowed: 127.0.0.1:\d+$"):
        fetch_index(source(site, "/vanha.html"), config)
    assert foreign.requests == []
    allowed = source(site, "/vanha.html", allowed_hosts=["127.0.0.1", f"127.0.0.1:{foreign.port}"])
    assert [x.url for x in fetch_index(allowed, config)] == [f"{foreign.base}/sisainen.txt"]
    assert foreign.requests == ["/index.html"]


def test_redirects_are_followed_a_bounded_number_of_times(serve, tmp_path):
    site = serve({f"/{n}.txt": redirect(f"/{n + 1}.txt") for n in range(10)})
    site.routes["/10.txt"] = body(DOCUMENT)
    src = source(site)
    with pytest.raises(FetchError) as loop:
        download(link(f"{site.base}/0.txt"), src, settings(max_redirects=3), tmp_path)
    assert str(loop.value) == f"{site.base}/0.txt: more than 3 redirects" and not loop.value.transient
    assert site.requests == ["/0.txt", "/1.txt", "/2.txt", "/3.txt"]
    site.requests.clear()
    got = download(link(f"{site.base}/0.txt"), src, settings(max_redirects=10), tmp_path)
    assert got.path.read_bytes() == DOCUMENT and len(site.requests) == 11


# --- size caps on decoded bytes --------------------------------------------------------------------


def gzip_of_zeros(megabytes: int) -> bytes:
    """A valid gzip stream of ``megabytes`` MB of zero bytes, about 1 KB per MB: each MB is deflated once
    (after a full flush the same input gives the same bytes) and repeated."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = deflate.compress(bytes(MB)) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(bytes(MB), crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    return header + block * megabytes + deflate.flush() + struct.pack("<II", crc, (megabytes * MB) & 0xFFFFFFFF)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    data = gzip_of_zeros(1024)  # 1 GB inflated
    assert len(data) < 1.1 * MB and zlib.decompressobj(31).decompress(data[:4096], MB) == bytes(MB)  # its start
    return data


def test_a_gzip_bomb_index_stops_at_the_cap(serve, bomb):
    site = serve({"/index.html": body(bomb, "text/html", Content_Encoding="gzip")})
    config = settings()
    assert config.max_index_bytes == 10 * MB  # the default
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as refused:
            fetch_index(source(site), config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(refused.value) == f"{site.base}/index.html: index page larger than the limit of {10 * MB} bytes"
    assert not refused.value.transient
    assert peak < 2 * config.max_index_bytes  # the cap and a piece: not a network read inflated whole (64 MB)


def test_a_gzip_bomb_document_stops_at_the_cap_and_leaves_nothing(serve, bomb, tmp_path):
    site = serve({"/pommi.pdf": body(bomb, "application/pdf", Content_Encoding="gzip")})
    with pytest.raises(FetchError) as refused:
        download(
            link(f"{site.base}/pommi.pdf"), source(site), settings(max_bytes=2 * MB), tmp_path
        )  # over its compressed size
    assert str(refused.value) == f"{site.base}/pommi.pdf: document larger than the limit of {2 * MB} bytes"
    assert list(tmp_path.iterdir()) == []


def test_compressed_answers_are_decoded(serve, tmp_path):
    text = DOCUMENT * 1000
    site = serve(
        {
            "/gzip.txt": body(zlib.compress(text, wbits=31), Content_Encoding="gzip"),
            "/deflate.txt": body(zlib.compress(text), Content_Encoding="deflate"),
            "/raw.txt": body(zlib.compress(text, wbits=-15), Content_Encoding="deflate"),  # without its wrapper
            "/br.txt": body(b"\x0b\x02\x80hello\x03", Content_Encoding="br"),
        }
    )
    src, config = source(site), settings()
    for name in ("gzip", "deflate", "raw"):
        assert download(link(f"{site.base}/{name}.txt"), src, config, tmp_path).path.read_bytes() == text
    with pytest.raises(FetchError, match=r"/br\.txt: content encoding 'br', which was not asked for$"):
        download(link(f"{site.base}/br.txt"), src, config, tmp_path)


# --- the deadline ------------------------------------------------------------------------------------


def drip(data: bytes, every: float, closing: threading.Event):
    """An answer written one byte at a time, ``every`` seconds apart: every read gets a byte well within
    its timeout, so only a deadline for the whole request ends it."""

    def answer(handler: BaseHTTPRequestHandler) -> None:
        for byte in data:
            if closing.wait(every):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    return answer


def test_a_server_that_drips_is_cut_at_the_deadline(serve, tmp_path):
    site = serve({})
    headers = f"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {len(DOCUMENT)}\r\n\r\n".encode()

    def body_drip(handler: BaseHTTPRequestHandler) -> None:  # the headers at once, then the body drop by drop
        handler.wfile.write(headers)
        drip(DOCUMENT, 0.1, site.closing)(handler)

    site.routes.update(
        {
            "/body.txt": body_drip,
            "/headers.txt": drip(headers + DOCUMENT, 0.1, site.closing),
            "/index.html": drip(headers + DOCUMENT, 0.1, site.closing),
        }
    )
    src, config = source(site), settings(deadline=1, timeout=5)
    assert len(DOCUMENT) * 0.1 > 4  # undripped, each would take longer than this test allows
    for name in ("body", "headers"):
        url = f"{site.base}/{name}.txt"
        started = time.monotonic()
        with pytest.raises(FetchError) as cut:
            download(link(url), src, config, tmp_path)
        assert time.monotonic() - started < 3
        assert str(cut.value) == f"{url}: no complete answer within the deadline of 1 s" and not cut.value.transient
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"index\.html: no complete answer within the deadline of 1 s$"):
        fetch_index(src, config)
    assert time.monotonic() - started < 3
    assert list(tmp_path.iterdir()) == []


def test_the_deadline_spans_every_hop(serve, tmp_path):
    """Each hop answers within the read timeout, but together they take longer than the deadline."""
    site = serve({})

    def slow_redirect(n: int):
        def answer(handler: BaseHTTPRequestHandler) -> None:
            if not site.closing.wait(0.4):
                redirect(f"/{n + 1}.txt")(handler)

        return answer

    site.routes.update({f"/{n}.txt": slow_redirect(n) for n in range(5)})
    site.routes["/5.txt"] = body(DOCUMENT)
    with pytest.raises(FetchError, match=r"/0\.txt: no complete answer within the deadline of 1 s$"):
        download(link(f"{site.base}/0.txt"), source(site), settings(deadline=1, timeout=5), tmp_path)
    assert len(site.requests) <= 4 and "/5.txt" not in site.requests


# --- the state file ----------------------------------------------------------------------------------


def test_thousands_of_links_write_the_state_file_a_few_times(serve, tmp_path, monkeypatch):
    count = 2000
    site = serve({})
    for n in range(count):
        data = f"sopimus {n}\n".encode()
        site.routes[f"/d/{n}.txt"] = conditional(data, f'"{n}"')
    writes: list[Path] = []
    real_write = fetch.write_atomic

    def counted(path: Path, text: str) -> None:
        writes.append(path)
        real_write(path, text)

    monkeypatch.setattr(fetch, "write_atomic", counted)
    src, config, folder = source(site), settings(), tmp_path / "downloads"
    links = [link(f"{site.base}/d/{n}.txt") for n in range(count)]

    def run() -> list:
        state = FetchState(folder)
        got = []
        with client(config) as http:
            for each in links:
                got.append(download(each, src, config, folder, state.known(each.url), http))
                state.record(got[-1])
        state.save()
        return got

    first = run()
    assert writes == [folder / STATE] * (count // 500)  # every 500 downloads, not after each
    saved = json.loads((folder / STATE).read_text(encoding="utf-8"))
    assert len(saved) == count and saved[links[7].url]["etag"] == '"7"'
    assert (folder / saved[links[7].url]["file"]).read_bytes() == b"sopimus 7\n"
    assert all(d.fresh for d in first) and len({d.path for d in first}) == count

    writes.clear()
    site.requests.clear()
    again = run()  # every one answers 304 to its ETag: nothing new, nothing to write
    assert writes == [] and not any(d.fresh for d in again)
    assert [d.path for d in again] == [d.path for d in first] and len(site.requests) == count


def conditional(data: bytes, etag: str):
    def answer(handler: BaseHTTPRequestHandler) -> None:
        if handler.headers.get("If-None-Match") == etag:
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        body(data, ETag=etag)(handler)

    return answer


# --- the flow ----------------------------------------------------------------------------------------


def test_a_run_stores_each_document_as_it_arrives(serve, tmp_path, prefect_api, monkeypatch):
    """Downloads feed the extractions as they come in, so what was extracted is stored while the fetching
    goes on (a run killed midway keeps it); the state file is written once; a redirect to a host that is
    not allowed is quarantined in one line, unasked."""
    from conftest import KEHA_MD, VALTORI_TXT
    from versions import VALTORI_REVISION, apply

    from pipeline.flows.ingest import ingest
    from schemas.catalog import QuarantineRecord

    output = tmp_path / "output"
    foreign = serve({"/sisainen.txt": body(DOCUMENT)})
    site = serve({})
    stored_before_last: list[str] = []

    def last(handler: BaseHTTPRequestHandler) -> None:  # what the catalog holds when the last one is asked for
        if (output / "catalog.json").exists():
            catalog = json.loads((output / "catalog.json").read_text(encoding="utf-8"))
            stored_before_last.extend(v["source"] for s in catalog["series"].values() for v in s["versions"])
        conditional(KEHA_MD.read_bytes(), '"k"')(handler)

    revision = apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION).encode()
    site.routes.update(
        {
            "/index.html": body(index("valtori.txt", "sisainen.txt", "valtori-2025.txt", "keha.md"), "text/html"),
            "/valtori.txt": conditional(VALTORI_TXT.read_bytes(), '"v1"'),
            "/sisainen.txt": redirect(f"{foreign.base}/sisainen.txt"),
            "/valtori-2025.txt": conditional(revision, '"v2"'),
            "/keha.md": last,
        }
    )
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[http]\nretries = 0\n\n[[source]]\nname = "virasto"\nkind = "http"\nurl = "{site.base}/index.html"\n'
        'patterns = ["*.txt", "*.md"]\n',
        encoding="utf-8",
    )
    writes: list[Path] = []
    real_write = fetch.write_atomic
    monkeypatch.setattr(fetch, "write_atomic", lambda path, text: (writes.append(path), real_write(path, text)))

    # One extraction at a time, two at most waiting: the first is stored before the fourth link is fetched.
    report = ingest(sources=str(config), output=str(output), workers=1)
    assert f"{site.base}/valtori.txt" in stored_before_last
    assert sorted(v["source"] for v in report["versions"]) == [
        f"{site.base}/keha.md",
        f"{site.base}/valtori-2025.txt",
        f"{site.base}/valtori.txt",
    ]
    refused = f"{site.base}/sisainen.txt: redirect to a host not allowed: 127.0.0.1:{foreign.port}"
    assert report["fetch_failed"] == [refused] and report["quarantined"] == []
    [record_path] = (output / "quarantine").glob("url-*.json")
    record = QuarantineRecord.model_validate_json(record_path.read_text(encoding="utf-8"))
    assert (record.source, record.error, record.sha256) == (f"{site.base}/sisainen.txt", refused, None)
    assert foreign.requests == []
    assert writes == [output / "downloads" / STATE]  # once in the run
    assert sorted(json.loads(writes[0].read_text(encoding="utf-8"))) == [
        f"{site.base}/keha.md",
        f"{site.base}/valtori-2025.txt",
        f"{site.base}/valtori.txt",
    ]

    writes.clear()
    again = ingest(sources=str(config), output=str(output), workers=1)  # each answers 304: nothing to write
    assert again["versions"] == [] and len(again["known"]) == 3 and writes == []
    assert foreign.requests == []
