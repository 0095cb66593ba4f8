"""The HSDS 3.0 JSON schemas (copied into schemas/), as jsonschema validators."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
# Messy published data: a bad e-mail or URL format is a warning, a missing field an error.
SOFT = {"format"}


@lru_cache
def service_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (SCHEMA_DIR / "service_with_definitions.json").read_text("utf-8")
    )
    return data


@lru_cache
def tabular_schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SCHEMA_DIR / "tabular.json").read_text("utf-8"))
    return data


def _definition(kind: str) -> dict[str, Any]:
    """One object's schema from the compiled service file, its refs resolvable."""
    root = service_schema()
    return {**root["definitions"][kind], "definitions": root["definitions"]}


@lru_cache
def validator(kind: str) -> Draft202012Validator:
    schema = service_schema() if kind == "service" else _definition(kind)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@lru_cache
def table(kind: str) -> dict[str, Any]:
    """The tabular package's item schema for one CSV (its nested-array columns left out)."""
    item = dict(tabular_schema()["properties"][kind]["items"])
    item["properties"] = {
        k: v for k, v in item["properties"].items() if v.get("type") not in ("array", None)
    }
    return item


@lru_cache
def row_validator(kind: str) -> Draft202012Validator:
    return Draft202012Validator(table(kind), format_checker=FormatChecker())


def json_path(base: str, error: ValidationError) -> str:
    path = base
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def problems(
    validator_: Draft202012Validator, document: Any
) -> Iterator[tuple[ValidationError, bool]]:
    """Each validation error and whether it is only a warning."""
    for error in sorted(
        validator_.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path]
    ):
        yield error, error.validator in SOFT
