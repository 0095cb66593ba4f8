"""Reading HSDS 3.0 files into flat records: JSON documents and the tabular (CSV) package.

JSON: a service document, an organization document with nested `services`, or a list or
paginated `{"contents": [...]}` of either. Tabular: a directory or .zip of the package's
CSVs (with `datapackage.json`). Every record keeps where it came from (PATH:JSON-path or
PATH:ROW) so each problem can say so.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from api.directory import schemas
from api.directory.problems import Found, Progress, Record

OURS = "x_firstcall"
# kind -> nested field -> (child kind, foreign key set on the child, or None for a single
# object whose id the parent keeps in `<field>_id`)
NESTED: dict[str, dict[str, tuple[str, str | None]]] = {
    "organization": {
        "phones": ("phone", "organization_id"),
        "contacts": ("contact", "organization_id"),
        "locations": ("location", "organization_id"),
        "services": ("service", "organization_id"),
    },
    "service": {
        "organization": ("organization", None),
        "phones": ("phone", "service_id"),
        "schedules": ("schedule", "service_id"),
        "service_areas": ("service_area", "service_id"),
        "service_at_locations": ("service_at_location", "service_id"),
        "languages": ("language", "service_id"),
        "required_documents": ("required_document", "service_id"),
        "contacts": ("contact", "service_id"),
    },
    "service_at_location": {
        "location": ("location", None),
        "schedules": ("schedule", "service_at_location_id"),
        "phones": ("phone", "service_at_location_id"),
        "contacts": ("contact", "service_at_location_id"),
    },
    "location": {
        "languages": ("language", "location_id"),
        "addresses": ("address", "location_id"),
        "phones": ("phone", "location_id"),
        "schedules": ("schedule", "location_id"),
        "contacts": ("contact", "location_id"),
    },
    "contact": {"phones": ("phone", "contact_id")},
    "phone": {"languages": ("language", "phone_id")},
}
TABLES = (
    "organization", "location", "address", "service", "service_at_location", "contact",
    "phone", "language", "schedule", "required_document", "service_area", "attribute",
    "taxonomy_term",
)  # fmt: skip


def read(path: Path, progress: Progress | None = None) -> Found:
    found = Found(progress=progress)
    if path.is_dir() or path.suffix.lower() == ".zip":
        _read_tabular(path, found)
    else:
        _read_json(path, found)
    return found


# --- JSON ------------------------------------------------------------------------------------


def _read_json(path: Path, found: Found) -> None:
    try:
        document = json.loads(path.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        found.error(str(path), f"unreadable file: {exc}")
        return
    read_document(document, str(path), found)


def read_document(document: Any, path: str, found: Found) -> None:
    """An already parsed HSDS JSON document; `path` names it in problems."""
    if isinstance(document, dict) and isinstance(document.get("contents"), list):
        items, base = document["contents"], "$.contents"
    elif isinstance(document, list):
        items, base = document, "$"
    else:
        items, base = [document], None
    for i, item in enumerate(items):
        where = f"{base}[{i}]" if base else "$"
        if not isinstance(item, dict):
            found.error(f"{path}:{where}", "not an HSDS object")
            continue
        kind = "organization" if _is_organization(item) else "service"
        _validate(path, where, kind, item, found)
        if kind == "organization":
            for j, service in enumerate(item.get("services") or []):
                _validate(path, f"{where}.services[{j}]", "service", service, found)
        flatten(kind, item, f"{path}:{where}", found)
        found.tick("checking", i + 1, len(items))


ORGANIZATION_ONLY = {"services", "website", "tax_status", "tax_id", "year_incorporated",
                     "legal_status", "logo", "uri", "parent_organization_id", "locations",
                     "programs", "organization_identifiers"}  # fmt: skip
SERVICE_ONLY = {"status", "organization_id", "organization", "service_at_locations",
                "schedules", "eligibility_description", "minimum_age", "maximum_age",
                "languages", "required_documents", "service_areas", "program_id",
                "interpretation_services", "application_process", "url"}  # fmt: skip


def _is_organization(item: dict[str, Any]) -> bool:
    """An organization document, not a service one: by the fields only one of them has."""
    keys = set(item)
    if keys & ORGANIZATION_ONLY:
        return True
    return not keys & SERVICE_ONLY and "description" in keys


def _validate(path: str, where: str, kind: str, item: Any, found: Found) -> None:
    document = {k: v for k, v in item.items() if k != "services"} if kind != "service" else item
    for error, soft in schemas.problems(schemas.validator(kind), document):
        at = f"{path}:{schemas.json_path(where, error)}"
        (found.warn if soft else found.error)(at, error.message)


def flatten(kind: str, obj: dict[str, Any], where: str, found: Found) -> str | None:
    """Add the object and its nested objects as records; returns the object's id."""
    data: dict[str, Any] = {}
    children: list[tuple[str, str, str | None, dict[str, Any], str]] = []
    nested = NESTED.get(kind, {})
    for key, value in obj.items():
        if key in nested:
            child_kind, fk = nested[key]
            if fk is None and isinstance(value, dict):
                children.append((key, child_kind, None, value, f"{where}.{key}"))
            elif isinstance(value, list):
                for i, child in enumerate(value):
                    if isinstance(child, dict):
                        children.append((key, child_kind, fk, child, f"{where}.{key}[{i}]"))
        elif key != OURS:
            data[key] = value
    ours = obj.get(OURS) if isinstance(obj.get(OURS), dict) else {}
    record = Record(kind, data, where, dict(ours or {}))
    for key, child_kind, fk, child, child_where in children:
        if fk is None:
            child_id = flatten(child_kind, child, child_where, found)
            if child_id is not None:
                data.setdefault(f"{key}_id", child_id)
        else:
            if "id" in data:
                child = {**child, fk: child.get(fk) or data["id"]}
            flatten(child_kind, child, child_where, found)
    found.records.append(record)
    return str(data["id"]) if "id" in data else None


# --- tabular ---------------------------------------------------------------------------------


def _read_tabular(path: Path, found: Found) -> None:
    try:
        files = dict(_package_files(path))
    except (OSError, zipfile.BadZipFile) as exc:
        found.error(str(path), f"unreadable file: {exc}")
        return
    if "datapackage.json" not in files:
        found.warn(str(path), "no datapackage.json; reading the CSVs by their HSDS names")
    by_table = {
        schemas.tabular_schema()["properties"][k]["items"]["path"]: k
        for k in schemas.tabular_schema()["properties"]
    }
    rows: dict[str, list[tuple[dict[str, Any], str]]] = {}
    for name, text in files.items():
        kind = by_table.get(name)
        if kind is None or kind not in TABLES:
            continue
        rows[kind] = list(_rows(path, name, kind, text, found))
    _attach_taxonomy(rows)
    for kind in TABLES:
        if kind in ("attribute", "taxonomy_term"):
            continue
        for data, where in rows.get(kind, []):
            ours = {
                k.removeprefix(OURS + "_"): data.pop(k)
                for k in list(data)
                if k.startswith(OURS + "_")
            }
            if isinstance(ours.get("domains"), str):
                ours["domains"] = [d.strip() for d in ours["domains"].replace(";", ",").split(",")]
            found.records.append(Record(kind, data, where, ours))


def _package_files(path: Path) -> Iterator[tuple[str, str]]:
    if path.is_dir():
        for item in sorted(path.iterdir()):
            if item.suffix in (".csv", ".json"):
                yield item.name, item.read_text("utf-8-sig")
        return
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist()):
            if name.endswith((".csv", ".json")):
                yield Path(name).name, archive.read(name).decode("utf-8-sig")


def _rows(
    path: Path, name: str, kind: str, text: str, found: Found
) -> Iterator[tuple[dict[str, Any], str]]:
    schema = schemas.table(kind)
    types = {k: v.get("type") for k, v in schema["properties"].items()}
    for number, raw in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        where = f"{path}/{name}:{number}"
        row: dict[str, Any] = {}
        for key, value in raw.items():
            if key is None or value is None or value.strip() == "":
                continue
            if types.get(key) == "number":
                try:
                    row[key] = float(value) if "." in value else int(value)
                except ValueError:
                    found.error(f"{where}", f"{key}: {value!r} is not a number")
                    continue
            else:
                row[key] = value
        for error, soft in schemas.problems(schemas.row_validator(kind), row):
            (found.warn if soft else found.error)(where, error.message)
        yield row, where


def _attach_taxonomy(rows: dict[str, list[tuple[dict[str, Any], str]]]) -> None:
    """attributes.csv + taxonomy_terms.csv -> each service's `attributes`, as JSON has them."""
    terms = {data.get("id"): data for data, _ in rows.get("taxonomy_term", [])}
    services = {data.get("id"): data for data, _ in rows.get("service", [])}
    for attribute, _ in rows.get("attribute", []):
        service = services.get(attribute.get("link_id"))
        if service is None or attribute.get("link_entity", "service") != "service":
            continue
        item = {k: v for k, v in attribute.items() if k != "link_id"}
        term = terms.get(attribute.get("taxonomy_term_id"))
        if term:
            item["taxonomy_term"] = term
        service.setdefault("attributes", []).append(item)
