"""The directory back out as HSDS 3.0 (`GET /api/v1/services`), valid against the schema,
and an export that imports back to the same thing."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator
from sqlalchemy.orm import Session

from api.directory import hsds, importer
from api.directory.demo import build
from api.directory.schemas import SCHEMA_DIR
from api.staff import service as staff

MESSY = Path(__file__).parent / "data" / "directory" / "messy_service.json"
PAGE_KEYS = {"contents", "total_items", "total_pages", "page_number", "size", "first_page",
             "last_page", "empty"}  # fmt: skip


def service_validator() -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / "service_with_definitions.json").read_text("utf-8"))
    return Draft202012Validator(schema)


def test_services_endpoint_is_hsds_and_validates_against_the_schema(
    org, client, db: Session
) -> None:  # noqa: E501
    assert importer.import_path(build.JSON_FILE, db_session=db).ok
    assert importer.import_path(MESSY, db_session=db).ok
    key = staff.create_api_key(org, "test", db_session=db)
    db.commit()
    headers = {"Authorization": f"Bearer {key}"}

    total = len(build.document()["contents"]) + 1
    pages = -(-total // 10)
    first = client.get("/api/v1/services?per_page=10", headers=headers)
    last = client.get(f"/api/v1/services?per_page=10&page={pages}", headers=headers)
    everything = client.get("/api/v1/services?per_page=100", headers=headers).json()

    assert first.status_code == 200
    page = first.json()
    assert set(page) == PAGE_KEYS
    assert (page["total_items"], page["total_pages"], page["size"]) == (total, pages, 10)
    assert page["first_page"] is True and page["last_page"] is False and page["empty"] is False
    assert last.json()["size"] == total - 10 * (pages - 1) and last.json()["last_page"] is True
    assert len(everything["contents"]) == total
    validator = service_validator()
    for document in everything["contents"]:
        errors = [e.message for e in validator.iter_errors(document)]
        assert errors == [], (document["name"], errors)
    one = client.get(f"/api/v1/services/{page['contents'][0]['id']}", headers=headers)
    assert one.status_code == 200 and one.json() == page["contents"][0]
    pantry = next(d for d in everything["contents"] if d["name"] == "Eastside Food Pantry")
    location = pantry["service_at_locations"][0]["location"]
    assert location["x_firstcall"] == {"timezone": "America/Los_Angeles"}
    assert pantry["schedules"][0]["byday"] == "TU,TH"
    assert pantry["languages"][1]["code"] == "vi"


def test_services_need_an_api_key_and_unknown_ids_are_404(org, client, db: Session) -> None:
    key = staff.create_api_key(org, "test", db_session=db)
    db.commit()
    assert client.get("/api/v1/services").status_code == 401
    assert client.get("/api/v1/services/nope").status_code == 401
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/services/nope", headers=headers).status_code == 404
    empty = client.get("/api/v1/services", headers=headers).json()
    assert empty["contents"] == [] and empty["empty"] is True and empty["total_items"] == 0


def test_an_imported_file_exported_imports_back_to_the_same_thing(
    db: Session, tmp_path: Path
) -> None:
    assert importer.import_path(MESSY, db_session=db).ok
    assert importer.import_path(build.JSON_FILE, db_session=db).ok
    exported = hsds.list_services(db_session=db, per_page=500)
    path = tmp_path / "export.json"
    path.write_text(json.dumps(exported), "utf-8")

    again = importer.import_path(path, db_session=db)

    assert again.ok, again.found.errors
    assert again.summary is not None
    for kind in ("organization", "service", "location", "schedule"):
        assert again.summary.counts[kind]["added"] == 0, kind
        assert again.summary.counts[kind]["updated"] == 0, kind
    assert hsds.list_services(db_session=db, per_page=500) == exported
    original = json.loads(MESSY.read_text("utf-8"))
    mine = next(d for d in exported["contents"] if d["id"] == original["id"])
    for key in ("name", "description", "status", "eligibility_description", "minimum_age"):
        assert mine[key] == original[key]
    assert mine["attributes"] == original["attributes"]  # kept although not modelled
    assert mine["schedules"][0]["timezone"] == -8  # the HSDS field itself is kept
