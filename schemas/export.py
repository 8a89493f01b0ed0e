"""Export the JSON Schema files that sit beside the models (``schemas/*.schema.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from schemas.agreement import Agreement
from schemas.catalog import Catalog
from schemas.diff import AgreementDiff

SCHEMA_DIR = Path(__file__).resolve().parent
MODELS: dict[str, type[BaseModel]] = {"agreement": Agreement, "agreement-diff": AgreementDiff, "catalog": Catalog}


def render(model: type[BaseModel]) -> str:
    """The JSON Schema text for one model, stable across runs (sorted keys, trailing newline)."""
    return json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every model's schema file into ``directory``; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in MODELS.items():
        path = directory / f"{name}.schema.json"
        path.write_text(render(model), encoding="utf-8")
        written.append(path)
    return written
