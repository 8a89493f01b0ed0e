"""Hostile cases for what ingestion stores (issue 12): a document replaced while it is ingested, names no
file system or JSON takes, a catalog that is corrupt, writes that fail, symbolic links out of the sources.
Each asserts the one-line answer and that nothing recorded is wrong. Every case is made in ``tmp_path``
from the Valtori text fixture and a revision of it (``tests/versions.py``)."""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clitools import run_cli
from conftest import VALTORI_TXT
from versions import VALTORI_REVISION, apply

from pipeline.errors import UnreadableDocument
from pipeline.extract import extract_file
from pipeline.ingest import extract_candidate, folder_candidates, split_new
from pipeline.ingest.config import load_sources
from pipeline.store.catalog import CATALOG, SOURCES, CatalogError, Store, StoreError, path_name
from pipeline.store.files import WriteError, read_copy, relative_to
from pipeline.workers import extract_copy, extract_isolated
from schemas.agreement import Agreement
from schemas.catalog import Catalog

ORIGINAL = VALTORI_TXT.read_text(encoding="utf-8")
REVISED = apply(ORIGINAL, VALTORI_REVISION)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sources(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A sources folder (no sources.toml: every *.txt in it) holding ``files``."""
    folder = tmp_path / "sources"
    folder.mkdir()
    for name, content in files.items():
        path = folder / os.fsdecode(name)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def store_found(store: Store, folder: Path):
    """One ingest run's steps in order, over what ``folder`` holds: discover, skip the known, extract
    (each in its worker process), store. The Agreements stored."""
    new, _ = split_new(folder_candidates(load_sources(folder)), store.known)
    stored = []
    for candidate in new:
        agreement, _ = extract_candidate(candidate)
        store.add(agreement, origin="sources", local_path=relative_to(candidate.path, store.root))
        stored.append(agreement)
    return stored


def stored_json(store: Store, sha: str) -> Agreement:
    [version] = [v for s in store.catalog.series.values() for v in s.versions if v.sha256 == sha]
    return Agreement.model_validate_json((store.root / version.json_path).read_text(encoding="utf-8"))


def saved(output: Path) -> Catalog:
    return Catalog.model_validate_json((output / CATALOG).read_text(encoding="utf-8"))


# --- 1. a document replaced while it is ingested ---------------------------------------------------


def test_a_document_replaced_after_it_was_found_is_recorded_as_it_was_read(tmp_path, caplog):
    folder = sources(tmp_path, {"valtori.txt": ORIGINAL})
    store = Store(tmp_path / "output")
    with store.locked():
        [found] = folder_candidates(load_sources(folder))
        (folder / "valtori.txt").write_text(REVISED, encoding="utf-8")  # replaced before it is read
        with caplog.at_level(logging.WARNING, logger="agreements.ingest"):
            agreement, _ = extract_candidate(found)
        store.add(agreement, origin="sources", local_path=relative_to(found.path, store.root))
    new = sha256(REVISED.encode("utf-8"))
    assert found.sha256 == sha256(ORIGINAL.encode("utf-8"))
    assert [r.getMessage() for r in caplog.records] == [
        f"valtori.txt: changed after it was found; extracted as it was read (sha256 {new[:12]}…, "
        f"found as {found.sha256[:12]}…)"
    ]
    assert set(saved(store.root).documents) == {new}  # the hash it was found with is not recorded
    assert stored_json(store, new) == extract_file(folder / "valtori.txt", root=folder)  # the JSON is of those bytes
    [version] = store.versions("valtori")
    assert (store.root / version.document_path).read_bytes() == REVISED.encode("utf-8")
    assert store_found(store, folder) == []  # the next run: known, as it truly is


def test_a_document_replaced_while_it_is_read_keeps_its_hash_and_the_next_run_extracts_the_new_one(tmp_path):
    folder = sources(tmp_path, {"valtori.txt": ORIGINAL})
    store = Store(tmp_path / "output")
    with store.locked():
        [found] = folder_candidates(load_sources(folder))
        (tmp_path / "read").mkdir()
        copy, read = read_copy(found.path, tmp_path / "read")  # what the worker does: read once, hash
        (folder / "valtori.txt").write_text(REVISED, encoding="utf-8")  # replaced while it is extracted
        agreement = extract_copy(copy, read, found.path, root=folder)
        store.add(agreement, origin="sources", local_path=relative_to(found.path, store.root))
        old = sha256(ORIGINAL.encode("utf-8"))
        assert read == old and set(saved(store.root).documents) == {old}
        assert stored_json(store, old) == extract_file(VALTORI_TXT, root=VALTORI_TXT.parent).model_copy(
            update={"source": agreement.source}
        )
        assert store.versions("valtori")[0].document_path is None  # its bytes are no longer there to publish

        [next_run] = store_found(store, folder)
    new = sha256(REVISED.encode("utf-8"))
    assert next_run.source.sha256 == new
    assert [v.sha256 for v in store.versions("valtori")] == [old, new]
    assert stored_json(store, new) == extract_file(folder / "valtori.txt", root=folder)
    assert set(saved(store.root).documents) == {old, new}


# --- 2. names never trusted as paths -------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_ingested_and_recorded_readably(tmp_path):
    folder = sources(tmp_path, {b"valtori-\xe4\xff.txt": ORIGINAL, "valtori-revision.txt": REVISED})
    store = Store(tmp_path / "output")
    with store.locked():
        stored = store_found(store, folder)
    assert sorted(a.source.path for a in stored) == ["valtori-revision.txt", "valtori-\ufffd\ufffd.txt"]
    versions = {v.source: v for v in saved(store.root).series["valtori"].versions}
    bad, good = versions["valtori-\ufffd\ufffd.txt"], versions["valtori-revision.txt"]
    assert (bad.local_path, good.local_path) == (None, "../sources/valtori-revision.txt")  # its real name is no JSON
    assert (store.root / bad.document_path).read_bytes() == ORIGINAL.encode("utf-8")  # published all the same
    assert stored_json(store, bad.sha256).source.path == "valtori-\ufffd\ufffd.txt"
    assert [v.diff is None for v in versions.values()].count(True) == 1  # the two versions are diffed


def test_extract_writes_every_input_when_one_name_is_not_utf8(tmp_path):
    folder = sources(tmp_path, {b"valtori-\xff.txt": ORIGINAL, "valtori.txt": ORIGINAL})
    result = run_cli(
        "extract", folder / os.fsdecode(b"valtori-\xff.txt"), folder / "valtori.txt", "-o", tmp_path / "out"
    )
    assert (result.returncode, result.stderr) == (0, "")
    written = {p.name: json.loads(p.read_text(encoding="utf-8")) for p in (tmp_path / "out").iterdir()}
    assert set(written) == {os.fsdecode(b"valtori-\xff-txt.json"), "valtori-txt.json"}
    bad = written[os.fsdecode(b"valtori-\xff-txt.json")]["source"]
    assert (bad["path"], bad["sha256"]) == (f"{folder}/valtori-\ufffd.txt", sha256(ORIGINAL.encode("utf-8")))


def test_a_series_id_over_255_bytes_or_like_a_path_is_stored_under_a_bounded_name(tmp_path, valtori_txt):
    long_id = "ä" * 200  # a plain slug, but 400 bytes: a folder of that name is "File name too long"
    store = Store(tmp_path / "output")
    with store.locked():
        for series_id in (long_id, "../../escape", "valtori"):
            agreement = valtori_txt.model_copy(deep=True)
            agreement.agreement.series_id = series_id
            agreement.source.sha256 = sha256(series_id.encode("utf-8"))
            store.add(agreement, origin="sources", local_path=None)
    catalog = saved(store.root)
    assert sorted(catalog.series) == sorted([long_id, "../../escape", "valtori"])  # the ids themselves
    folders = {s: Path(v.json_path).parent.name for s, v in ((k, s.versions[0]) for k, s in catalog.series.items())}
    assert folders["valtori"] == "valtori"  # a plain slug is its own name
    assert folders["../../escape"] == path_name("../../escape") and folders["../../escape"].startswith("escape-")
    assert folders[long_id] == path_name(long_id) and len(folders[long_id].encode("utf-8")) <= 100
    assert path_name(long_id) != path_name("ä" * 201)  # cut to fit, and still told apart
    written = [p.relative_to(store.root) for p in store.root.rglob("*")]
    assert all(len(part.encode("utf-8")) <= 255 for p in written for part in p.parts)
    assert all(p.resolve().is_relative_to(store.root.resolve()) for p in store.root.rglob("*"))


def test_a_document_that_cannot_be_recorded_leaves_the_catalog_and_the_folder_as_they_were(tmp_path, valtori_txt):
    store = Store(tmp_path / "output")
    with store.locked():
        store.add(valtori_txt.model_copy(deep=True), origin="sources", local_path=None)
        before = {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file() and p.name != ".ingest.lock"}
        memory = store.catalog.model_dump()
        bad = valtori_txt.model_copy(deep=True)
        bad.agreement.title = "Tulossopimus \udcff"  # a lone surrogate: no JSON encoder takes it
        bad.source.sha256 = "b" * 64
        with pytest.raises(StoreError) as caught:
            store.add(bad, origin="sources", local_path=None)
        after = {p: p.read_bytes() for p in store.root.rglob("*") if p.is_file() and p.name != ".ingest.lock"}
        assert after == before and store.catalog.model_dump() == memory
        record = store.quarantine(
            sha256="b" * 64, source="bad.txt", origin="sources", error=str(caught.value), extractor="t"
        )
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith("valtori-tulossopimus-2024-2027.txt: cannot be recorded (")
    assert str(caught.value).endswith("); nothing of it was stored")
    assert saved(store.root).documents["b" * 64] == record  # the run goes on: the document is quarantined


# --- 6. a corrupt catalog ---------------------------------------------------------------------------


def three_versions_and_a_copy(output: Path, base: Path) -> Store:
    """Two versions with their diff, a copy (the text with CRLF line ends: other bytes, the same
    agreement) and a quarantined document, stored in ``output``."""
    files = {
        "valtori.txt": ORIGINAL,
        "valtori-revision.txt": REVISED,
        "valtori-crlf.txt": ORIGINAL.replace("\n", "\r\n"),
    }
    folder = sources(base, files)
    store = Store(output)
    with store.locked():
        for name in files:
            agreement = extract_file(folder / name, root=folder)
            store.add(agreement, origin="sources", local_path=relative_to(folder / name, output))
        store.quarantine(sha256="c" * 64, source="broken.pdf", origin="sources", error="not a PDF", extractor="t")
    return store


def comparable(catalog: Catalog) -> dict:
    """A catalog less what only the catalog kept (where each document came from, its path, when it came)."""
    data = catalog.model_dump(mode="json", exclude={"updated_at"})
    for series in data["series"].values():
        for version in series["versions"]:
            version.update(local_path=None, ingested_at=None)
    for document in data["documents"].values():
        document.update(origin=None, seen_at=None)
    return data


@pytest.mark.parametrize("damage", ["truncated", "not a catalog", "empty"])
def test_a_corrupt_catalog_is_set_aside_and_rebuilt_with_every_version_diff_and_copy(tmp_path, caplog, damage):
    output = tmp_path / "output"
    original = three_versions_and_a_copy(output, tmp_path).catalog
    text = (output / CATALOG).read_text(encoding="utf-8")
    broken = {"truncated": text[: len(text) // 2], "not a catalog": '{"series": 5}', "empty": ""}[damage]
    (output / CATALOG).write_text(broken, encoding="utf-8")

    with pytest.raises(CatalogError) as caught:
        Store(output).catalog  # noqa: B018 (read-only: told, not mended)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(f"{output / CATALOG}: not a valid catalog (")
    assert message.endswith(
        "; `agreements repair` rebuilds it from versions/ and diffs/, and so does the next ingest run"
    )

    store = Store(output)
    with caplog.at_level(logging.WARNING, logger="agreements.ingest"), store.locked():
        pass
    [aside] = output.glob("catalog.json.corrupt-*")
    assert aside.read_text(encoding="utf-8") == broken
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith(f"{output / CATALOG}: not a valid catalog (")
    assert line.endswith(
        f"set aside as {aside.name}; rebuilt from versions/, copies/, diffs/ and quarantine/: 1 series, "
        "2 versions, 1 copies, 1 diffs, 1 quarantined"
    )
    rebuilt = saved(output)
    assert comparable(rebuilt) == comparable(original)
    assert {d.origin for d in rebuilt.documents.values()} == {"unknown", "sources"}  # the quarantine record keeps it
    assert store.stale_diffs() == []


def test_repair_rebuilds_on_demand_and_makes_the_diffs_that_are_gone(tmp_path):
    output = tmp_path / "output"
    original = three_versions_and_a_copy(output, tmp_path).catalog
    (output / CATALOG).write_text("{", encoding="utf-8")
    shutil.rmtree(output / "diffs")

    result = run_cli("repair", "--output", output)
    assert result.returncode == 0, result.stderr
    [aside] = output.glob("catalog.json.corrupt-*")
    assert result.stderr.splitlines() == [
        f"agreements: {output / CATALOG}: not a valid catalog (Invalid JSON: EOF while parsing an object at line 1 "
        f"column 1); set aside as {aside.name}; rebuilt from versions/, copies/, diffs/ and quarantine/: 1 series, "
        "2 versions, 1 copies, 0 diffs, 1 quarantined, 1 diffs to make again",
        f"agreements: {output / CATALOG}: rebuilt; 1 series, 2 versions, 1 quarantined; 1 diffs made; "
        f"see {output / 'index.html'}",
    ]
    assert comparable(saved(output)) == comparable(original)
    assert (output / "index.html").is_file()

    again = run_cli("repair", "--output", output)
    assert again.returncode == 0 and again.stderr.splitlines() == [
        f"agreements: {output / CATALOG}: valid; 1 series, 2 versions, 1 quarantined; 0 diffs made; "
        f"see {output / 'index.html'}"
    ]
    assert len(list(output.glob("catalog.json.corrupt-*"))) == 1

    nothing = run_cli("repair", "--output", tmp_path / "sources")
    assert (nothing.returncode, nothing.stderr) == (
        2,
        f"agreements: error: {tmp_path / 'sources'}: not an ingest output folder (no catalog.json, no versions/)\n",
    )


def test_the_next_ingest_run_rebuilds_a_truncated_catalog(tmp_path, prefect_api):
    from pipeline.flows.ingest import ingest

    output = tmp_path / "output"
    original = three_versions_and_a_copy(output, tmp_path).catalog
    text = (output / CATALOG).read_text(encoding="utf-8")
    (output / CATALOG).write_text(text[:1000], encoding="utf-8")

    report = ingest(sources=str(tmp_path / "sources"), output=str(output))
    assert (report["versions"], report["copies"], report["quarantined"]) == ([], [], [])
    assert sorted(report["known"]) == ["valtori-crlf.txt", "valtori-revision.txt", "valtori.txt"]
    assert comparable(saved(output)) == comparable(original)
    assert len(list(output.glob("catalog.json.corrupt-*"))) == 1


# --- 7. write errors ---------------------------------------------------------------------------------


def test_a_document_whose_files_cannot_be_written_fails_alone_naming_the_path(tmp_path, valtori_txt):
    """Read-only, as root: the process runs as root here, where chmod 0555 prevents no write; a folder
    that is a file does (``versions`` below), and so does ``test_a_read_only_output_folder`` as another user."""
    folder = sources(tmp_path, {"valtori.txt": ORIGINAL})
    store = Store(tmp_path / "output")
    with store.locked():
        store.save()
        agreement = extract_file(folder / "valtori.txt", root=folder)
        cases = [  # the version's JSON cannot be written, then its document
            ("versions", "versions/valtori: cannot write (Not a directory)", errno.ENOTDIR, None),
            (SOURCES, "sources: cannot write (a file is where a folder should be)", errno.EEXIST, "versions"),
        ]
        for blocked, says, code, stays in cases:
            (store.root / blocked).write_text("not a folder", encoding="utf-8")
            before = (store.root / CATALOG).read_bytes()
            with pytest.raises(WriteError) as caught:
                store.add(agreement, origin="sources", local_path=relative_to(folder / "valtori.txt", store.root))
            assert str(caught.value) == f"{store.root}/{says}"
            assert isinstance(caught.value, OSError) and caught.value.errno == code
            assert (store.root / CATALOG).read_bytes() == before and store.catalog.series == {}
            if stays:  # the version's JSON was written before its document failed: gone with it
                assert list((store.root / stays).rglob("*.json")) == []
            (store.root / blocked).unlink()
        store.add(agreement, origin="sources", local_path=relative_to(folder / "valtori.txt", store.root))
    assert [v.sha256 for v in saved(store.root).series["valtori"].versions] == [sha256(ORIGINAL.encode("utf-8"))]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a folder of mode 0555")
def test_a_read_only_output_folder(tmp_path, valtori_txt):
    store = Store(tmp_path / "output")
    with store.locked():
        store.save()
        store.root.chmod(0o555)
        try:
            with pytest.raises(WriteError, match=r"/output/versions: cannot write \(Permission denied\)$"):
                store.add(valtori_txt.model_copy(deep=True), origin="sources", local_path=None)
        finally:
            store.root.chmod(0o755)


def test_a_full_disk_is_one_line_naming_the_file(tmp_path, valtori_txt):
    """A file size limit (``RLIMIT_FSIZE``) makes the kernel refuse writes past it, as a full disk does."""
    (tmp_path / "agreement.json").write_text(valtori_txt.model_dump_json(), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, signal
        from pathlib import Path
        from pipeline.store.catalog import Store
        from schemas.agreement import Agreement

        agreement = Agreement.model_validate_json(Path({str(tmp_path / "agreement.json")!r}).read_text())
        store = Store(Path({str(tmp_path / "output")!r}))
        with store.locked():
            store.save()
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
            try:
                store.add(agreement, origin="sources", local_path=None)
            except OSError as exc:
                print(type(exc).__name__, exc, sep=": ")
            print(sorted(store.catalog.series))
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False)
    version = f"versions/valtori/2023-12-13-{valtori_txt.source.sha256[:12]}.json"
    assert done.stdout.splitlines() == [
        f"WriteError: {tmp_path / 'output' / version}: cannot write (File too large)",
        "[]",
    ]
    assert Catalog.model_validate_json((tmp_path / "output" / CATALOG).read_text()).series == {}
    assert not (tmp_path / "output" / version).exists()


def test_ingest_into_a_folder_that_cannot_be_written_exits_1_naming_the_path(tmp_path, prefect_api):
    folder = sources(tmp_path, {"valtori.txt": ORIGINAL})
    (tmp_path / "file").write_text("a file, not a folder", encoding="utf-8")
    output = tmp_path / "file" / "output"
    result = run_cli("ingest", "--sources", folder, "--output", output, env={"PREFECT_API_URL": prefect_api})
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("agreements: error: ") and "internal error" not in line
    assert f"{output}: cannot write (Not a directory)" in line


# --- 7. symbolic links and files that are no files ----------------------------------------------------


def test_links_out_of_the_sources_folder_are_refused_unless_follow_symlinks(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "valtori.txt").write_text(ORIGINAL, encoding="utf-8")
    folder = sources(tmp_path, {"revision.txt": REVISED})
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "outside.txt").symlink_to(outside / "valtori.txt")
    (folder / "inside.txt").symlink_to(folder / "revision.txt")
    os.mkfifo(folder / "pipe.txt")

    said: list[str] = []
    found = folder_candidates(load_sources(folder), warn=said.append)
    assert [c.source for c in found] == ["inside.txt", "revision.txt"]  # a link inside the folder is fine
    assert said == [
        f"outside.txt: a symbolic link to {outside / 'valtori.txt'}, outside its source's folder: not read "
        "(follow_symlinks = true in the [[source]] reads it)",
        "passwd.txt: a symbolic link to /etc/passwd, outside its source's folder: not read "
        "(follow_symlinks = true in the [[source]] reads it)",
        "pipe.txt: not a regular file (a FIFO, a device or a socket): not read",
    ]

    (folder / "sources.toml").write_text('[[source]]\nname = "all"\nfollow_symlinks = true\n', encoding="utf-8")
    said.clear()
    found = folder_candidates(load_sources(folder), warn=said.append)
    assert [c.source for c in found] == ["inside.txt", "outside.txt", "passwd.txt", "revision.txt"]
    assert found[1].sha256 == sha256(ORIGINAL.encode("utf-8"))
    assert said == ["pipe.txt: not a regular file (a FIFO, a device or a socket): not read"]


def test_a_fifo_or_a_device_given_to_extract_is_refused_at_once(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # opened for reading, it would wait for a writer forever
    for path, says in (
        (tmp_path / "pipe.txt", "is a FIFO (named pipe), not a file"),
        (Path("/dev/zero"), "is a character device, not a file"),
    ):
        with pytest.raises(UnreadableDocument) as caught:
            extract_isolated(path)
        assert str(caught.value) == f"{path}: {says}"


# --- the Agreements a Store keeps are never stale -----------------------------------------------------


def test_a_stored_agreement_is_parsed_once_and_read_again_once_its_file_is_rewritten(tmp_path, valtori_txt):
    store = Store(tmp_path / "output")
    with store.locked():
        store.add(valtori_txt.model_copy(deep=True), origin="sources", local_path=None)
    [version] = store.versions("valtori")
    first = store.load_agreement(version)
    assert store.load_agreement(version) is first  # kept: a backlog compares each document with it
    path = store.root / version.json_path
    changed = first.model_copy(deep=True)
    changed.agreement.title = "Tulossopimus (korjattu)"
    path.write_text(changed.model_dump_json(indent=2) + "\n", encoding="utf-8")  # another size: read again
    assert store.load_agreement(version).agreement.title == "Tulossopimus (korjattu)"
    path.unlink()
    with pytest.raises(CatalogError, match="cannot read"):  # gone: said, not served from memory
        store.load_agreement(version)
