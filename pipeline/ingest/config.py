"""Where agreements come from: ``sources/sources.toml``, or simply a folder of agreement files.

The file lists folder sources (glob patterns, relative to the file) and HTTP sources (an index page
whose links to agreements are followed, only on the hosts the entry names). Settings for fetching
(timeouts, retries, size cap) sit in ``[http]``; where the extractions run (how many worker processes,
or a Dask cluster) in ``[run]``, which the command line's options override. Errors name the file and
the entry, in one line.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
    field_validator,
    model_validator,
)

from pipeline.errors import AgreementError

CONFIG_NAME = "sources.toml"
DEFAULT_PATTERNS = ["*.pdf", "*.txt", "*.md"]


class ConfigError(AgreementError):
    """The sources configuration cannot be used."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HttpSettings(_Model):
    timeout: float = Field(30.0, gt=0, description="seconds to wait for a connection or for the next bytes")
    retries: int = Field(3, ge=0, le=10, description="retries of a failed fetch (5xx, timeouts, broken connections)")
    backoff: float = Field(2.0, ge=0, description="seconds before the first retry; doubles each time")
    max_bytes: int = Field(
        50 * 1024 * 1024, gt=0, description="refuse documents larger than this (decoded bytes, counted as they come)"
    )
    max_index_bytes: int = Field(
        10 * 1024 * 1024, gt=0, description="refuse index pages larger than this (decoded bytes, counted as they come)"
    )
    deadline: float = Field(
        120.0, gt=0, description="seconds one request may take in all (redirects, headers, body), however steady"
    )
    max_redirects: int = Field(5, ge=0, le=20, description="redirects followed per request, each to an allowed host")
    user_agent: str = "agreements-ingest (+https://github.com/; performance agreements to data)"


class RunSettings(_Model):
    """Where a run's extractions go; ``agreements ingest --workers/--dask-address`` override these."""

    workers: int | None = Field(None, ge=1, le=256, description="worker processes on this machine (default: its cores)")
    dask_address: str | None = Field(
        None, description="a Dask scheduler (tcp://HOST:PORT) to send the extractions to instead"
    )

    @field_validator("dask_address")
    @classmethod
    def _scheduler_address(cls, address: str | None) -> str | None:
        return None if address is None else dask_address(address)


def dask_address(address: str) -> str:
    """A Dask scheduler's address as ``tcp://HOST:PORT`` (``HOST:PORT`` is taken as TCP); ValueError otherwise."""
    address = address.strip()
    if "://" not in address:
        address = f"tcp://{address}"
    parts = urlsplit(address)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("tcp", "tls") or not parts.hostname or port is None or parts.path not in ("", "/"):
        raise ValueError(f"not a Dask scheduler address: {address!r} (expected tcp://HOST:PORT)")
    return address.rstrip("/")


class FolderSource(_Model):
    name: str
    kind: Literal["folder"] = "folder"
    path: str = Field(".", description="folder, relative to the config file")
    patterns: list[str] = Field(default_factory=lambda: list(DEFAULT_PATTERNS))
    recursive: bool = False
    follow_symlinks: bool = Field(
        False,
        description="read symbolic links that lead out of the folder too (links inside it are always read); "
        "without it they are refused with a warning",
    )


class HttpSource(_Model):
    name: str
    kind: Literal["http"]
    url: str = Field(description="an index page that links to agreements")
    allowed_hosts: list[str] = Field(default_factory=list, description="hosts documents may come from")
    patterns: list[str] = Field(default_factory=lambda: ["*.pdf"], description="link file names to follow")

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        return url

    @model_validator(mode="after")
    def _own_host_allowed(self) -> HttpSource:
        host = urlsplit(self.url).hostname
        if not self.allowed_hosts:
            self.allowed_hosts = [host]
        elif host not in self.allowed_hosts:
            raise ValueError(f"the index page's host {host!r} is not in allowed_hosts")
        return self


def _kind(value: object) -> str:
    """A source's kind; ``folder`` when the entry does not say."""
    return value.get("kind", "folder") if isinstance(value, dict) else getattr(value, "kind", "folder")


Source = Annotated[Annotated[FolderSource, Tag("folder")] | Annotated[HttpSource, Tag("http")], Discriminator(_kind)]


class SourcesConfig(_Model):
    """The parsed configuration; ``base`` is the folder relative paths are resolved from."""

    base: Path
    http: HttpSettings = Field(default_factory=HttpSettings)
    run: RunSettings = Field(default_factory=RunSettings)
    sources: list[Source] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> SourcesConfig:
        names = [s.name for s in self.sources]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"source names must be unique: {', '.join(duplicates)}")
        return self


def load_sources(path: Path) -> SourcesConfig:
    """A config file, a folder with a ``sources.toml``, or a plain folder of agreements."""
    if path.is_dir():
        config = path / CONFIG_NAME
        if not config.is_file():
            return SourcesConfig(base=path, sources=[FolderSource(name=path.name or "sources", path=".")])
        path = config
    if not path.is_file():
        raise ConfigError(f"{path}: no such sources file or folder")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read ({exc})") from exc
    try:
        return SourcesConfig(
            base=path.parent, http=data.get("http", {}), run=data.get("run", {}), sources=data.get("source", [])
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        if loc[:1] == ["sources"] and len(loc) > 1:
            entries = data.get("source", [])
            index = loc[1]
            name = entries[index].get("name") if isinstance(index, int) and index < len(entries) else None
            field = ".".join(str(p) for p in loc[3:]) or "entry"
            where = f"[[source]] #{index + 1}" + (f" ({name})" if name else "") + f": {field}"
        else:
            where = ".".join(str(p) for p in loc) or "top level"
        raise ConfigError(f"{path}: {where}: {first['msg']}") from exc
