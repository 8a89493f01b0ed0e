"""Pydantic models of the output contract, and their exported JSON Schema files."""

from schemas.agreement import SCHEMA_VERSION, Agreement

__all__ = ["SCHEMA_VERSION", "Agreement"]
