"""Files the pipeline writes are as readable as the umask says: ``0644`` and folders ``0755`` under
umask 022 (a web server or another account can read what was published), ``0640`` and ``0750`` under
027. Through the real command line, and a real ingest (a folder, an HTTP source, a broken document)."""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import KEHA_MD, VALTORI_PDF, VALTORI_TXT
from versions import VALTORI_REVISION, apply

from pipeline.store.files import atomic_file, publish_copy, temporary_file, umask, write_atomic


@pytest.fixture
def umask_027():
    """Run the test body under umask 027, and put the old one back."""
    old = os.umask(0o027)
    yield 0o027
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_atomic_files_are_created_as_open_creates_them(tmp_path, umask_027):
    assert umask() == 0o027
    write_atomic(tmp_path / "a" / "b" / "text.json", "{}\n")
    with atomic_file(tmp_path / "data.parquet") as out:
        out.write(b"PAR1")
    handle, temp = temporary_file(tmp_path / "downloads", prefix=".download-", suffix=".part")
    os.close(handle)
    assert {p.relative_to(tmp_path).as_posix(): oct(mode(p)) for p in sorted(tmp_path.rglob("*"))} == {
        "a": "0o750",
        "a/b": "0o750",
        "a/b/text.json": "0o640",
        "data.parquet": "0o640",
        "downloads": "0o750",
        f"downloads/{temp.name}": "0o640",
    }
    assert temp.name.startswith(".download-") and temp.name.endswith(".part")


def test_a_published_document_is_a_checked_copy_or_a_link(tmp_path, umask_027):
    import hashlib

    data = VALTORI_TXT.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    private = tmp_path / "private.txt"
    private.write_bytes(data)
    private.chmod(0o600)
    assert publish_copy(private, tmp_path / "out" / "copy.txt", sha, link=True)  # 0600: copied, not linked
    copied = tmp_path / "out" / "copy.txt"
    assert copied.read_bytes() == data and mode(copied) == 0o640 and not copied.samefile(private)
    assert mode(private) == 0o600

    download = tmp_path / "out" / "downloads" / "abc.txt"
    write_atomic(download, data.decode("utf-8"))
    assert publish_copy(download, tmp_path / "out" / "sources" / "abc.txt", sha, link=True)
    assert (tmp_path / "out" / "sources" / "abc.txt").samefile(download)  # as readable as a new file: linked

    assert not publish_copy(private, tmp_path / "out" / "wrong.txt", "0" * 64)  # edited since it was read
    assert not publish_copy(tmp_path / "gone.txt", tmp_path / "out" / "gone.txt", sha)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["copy.txt", "downloads", "sources"]


# --- the command line and a real ingest ------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A folder served by ``http.server``: its listing links to a revision of the Valtori agreement."""
    folder = tmp_path_factory.mktemp("site")
    (folder / "valtori-2025-tarkistus.txt").write_text(
        apply(VALTORI_TXT.read_text(encoding="utf-8"), VALTORI_REVISION), encoding="utf-8"
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def agreements(*args: str | Path, umask: int, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The installed ``agreements`` command, run under ``umask``."""
    script = Path(sys.executable).with_name("agreements")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]
    return subprocess.run(
        [*command, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        umask=umask,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("mask", [0o022, 0o027], ids=["umask-022", "umask-027"])
def test_everything_written_is_as_readable_as_the_umask_says(tmp_path, site, prefect_api, mask):
    sources = tmp_path / "sources"
    sources.mkdir()
    for path in (VALTORI_TXT, KEHA_MD):
        shutil.copy(path, sources)
    (sources / "rikki.txt").write_text("", encoding="utf-8")  # quarantined
    (sources / "sources.toml").write_text(
        '[[source]]\nname = "kansio"\nkind = "folder"\npath = "."\npatterns = ["*.txt", "*.md"]\n\n'
        f'[[source]]\nname = "verkko"\nkind = "http"\nurl = "{site}"\npatterns = ["*.txt"]\n',
        encoding="utf-8",
    )
    work = tmp_path / "work"
    work.mkdir(mode=0o777)
    os.chmod(work, 0o777 & ~mask)
    output = work / "output"

    result = agreements(
        "ingest", "--sources", sources / "sources.toml", "--output", output, umask=mask,
        env={"PREFECT_API_URL": prefect_api},
    )  # fmt: skip
    assert result.returncode == 3, result.stderr  # the empty file is quarantined, the rest stored
    runs = [
        ("extract", VALTORI_TXT, "-o", work / "valtori.json"),
        ("extract", VALTORI_TXT, KEHA_MD, "-o", work / "extracted" / "both"),
        ("diff", VALTORI_TXT, VALTORI_PDF, "-o", work / "review"),
        ("export", "--format", "all", "--output", output),
        ("export", "--format", "all", "--output", output, "--to", work / "exports"),
        ("schema", "-o", work / "schemas"),
    ]
    for args in runs:
        result = agreements(*args, umask=mask)
        assert result.returncode in (0, 1), (args, result.stderr)  # diff: 1, the two differ

    written = {p.relative_to(work).as_posix(): p for p in work.rglob("*")}
    for expected in (
        "output/catalog.json",
        "output/index.html",
        "output/.ingest.lock",
        "output/downloads/.fetched.json",
        "output/exports/values.parquet",
        "output/exports/targets.csv",
        "output/series/valtori.html",
        "valtori.json",
        "extracted/both/keha-keskus-tulossopimus-2025-md.json",
        "review/diff.html",
        "exports/values.jsonl",
        "schemas/catalog.schema.json",
    ):
        assert expected in written, expected
    for folder in ("downloads", "sources", "quarantine", "versions/valtori", "diffs/valtori"):
        assert any(p.startswith(f"output/{folder}/") and written[p].is_file() for p in written), folder
    assert len(list((output / "sources").iterdir())) == 3  # two from the folder, one downloaded
    files, folders = 0o666 & ~mask, 0o777 & ~mask
    wrong = {
        name: oct(mode(path)) for name, path in written.items() if mode(path) != (folders if path.is_dir() else files)
    }
    assert wrong == {}
    assert len(written) > 40
