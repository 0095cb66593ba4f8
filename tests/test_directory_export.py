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


def test_a_tabular_package_exported_as_json_imports_back_unchanged(
    db: Session, tmp_path: Path
) -> None:
    import csv

    ids = {k: f"7e4b2a10-3c5d-4e6f-8a9b-0c1d2e3f40{n:02d}" for n, k in enumerate(
        ("org", "svc", "loc", "addr", "sal", "sched", "lang"))}  # fmt: skip
    tables = {
        "organizations.csv": [{"id": ids["org"], "name": "Harbor", "description": "-"}],
        "services.csv": [{"id": ids["svc"], "organization_id": ids["org"], "name": "Pantry",
                          "status": "active", "minimum_age": "18",
                          "x_firstcall_domains": "food", "x_firstcall_capacity_per_slot": "3"}],
        "locations.csv": [{"id": ids["loc"], "location_type": "physical", "name": "Warehouse",
                           "x_firstcall_timezone": "America/Los_Angeles"}],
        "addresses.csv": [{"id": ids["addr"], "location_id": ids["loc"], "address_1": "1 Main",
                           "city": "San Diego", "state_province": "CA", "postal_code": "92101",
                           "country": "US", "address_type": "physical"}],
        "service_at_location.csv": [{"id": ids["sal"], "service_id": ids["svc"],
                                     "location_id": ids["loc"]}],
        "schedules.csv": [{"id": ids["sched"], "service_id": ids["svc"], "freq": "WEEKLY",
                           "byday": "MO,TH", "interval": "2", "dtstart": "2026-01-05",
                           "opens_at": "09:00", "closes_at": "12:00"}],
        "languages.csv": [{"id": ids["lang"], "service_id": ids["svc"], "code": "es",
                           "name": "Spanish"}],
    }  # fmt: skip
    package = tmp_path / "pkg"
    package.mkdir()
    for name, rows in tables.items():
        with (package / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    (package / "datapackage.json").write_text('{"resources": []}', "utf-8")
    assert importer.import_path(package, db_session=db).ok

    exported = hsds.get_service(ids["svc"], db_session=db)
    assert exported is not None
    assert service_validator().is_valid(exported)
    path = tmp_path / "one.json"
    path.write_text(json.dumps(exported), "utf-8")
    again = importer.import_path(path, db_session=db)

    assert again.ok and again.summary is not None
    assert all(again.summary.counts[k]["unchanged"] == 1 for k in ("service", "schedule"))
    assert hsds.get_service(ids["svc"], db_session=db) == exported
    schedule = exported["schedules"][0]
    assert (schedule["byday"], schedule["interval"], schedule["dtstart"]) == (
        "MO,TH",
        2,
        "2026-01-05",
    )  # noqa: E501
    assert exported["minimum_age"] == 18 and exported["languages"][0]["code"] == "es"
    assert exported["x_firstcall"]["capacity_per_slot"] == 3
    location = exported["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "92101"
    assert location["x_firstcall"] == {"timezone": "America/Los_Angeles"}
