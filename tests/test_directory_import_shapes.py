"""Every HSDS JSON shape the importer reads, references it checks, and our fields on a
re-import: an organization with nested services, a plain list, dangling ids, bad formats,
domains changed with nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.directory import importer, snapshot
from api.directory.models import HsdsOrganization, HsdsService, ServiceDomain

ORG = "2b1d0c9e-7a6f-4e5d-8c4b-3a2918070601"


def service(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"2b1d0c9e-7a6f-4e5d-8c4b-3a29180706{n:02d}", "name": f"Service {n}",
            "status": "active", "x_firstcall": {"domains": ["food"]}, **extra}  # fmt: skip


def write(tmp_path: Path, document: Any, name: str = "doc.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), "utf-8")
    return path


def test_organization_document_with_nested_services_and_a_list_of_both(
    db: Session, tmp_path: Path
) -> None:
    organization = {"id": ORG, "name": "Westside Services", "description": "Since 1990.",
                    "website": "https://westside.example.org",
                    "services": [service(11), service(12)]}  # fmt: skip
    listed = [organization, service(13, organization_id=ORG)]

    result = importer.import_path(write(tmp_path, listed), db_session=db)

    assert result.ok, result.found.errors
    assert result.summary is not None
    assert result.summary.counts["organization"]["added"] == 1
    assert result.summary.counts["service"]["added"] == 3
    owners = set(db.scalars(select(HsdsService.organization_id)))
    assert owners == {ORG}
    assert db.get(HsdsOrganization, ORG) is not None


def test_a_nested_service_missing_its_status_is_reported_at_its_json_path(
    db: Session, tmp_path: Path
) -> None:
    broken = service(21)
    del broken["status"]
    organization = {"id": ORG, "name": "Westside", "description": "-", "services": [broken]}
    path = write(tmp_path, {"contents": [organization]})

    result = importer.import_path(path, db_session=db)

    assert [str(p) for p in result.found.errors] == [
        f"{path}:$.contents[0].services[0]: error: 'status' is a required property"
    ]
    assert db.scalars(select(HsdsOrganization)).all() == []


def test_an_id_that_points_nowhere_is_an_error(db: Session, tmp_path: Path) -> None:
    missing = "2b1d0c9e-7a6f-4e5d-8c4b-3a2918079999"
    path = write(tmp_path, service(31, organization_id=missing))

    result = importer.import_path(path, db_session=db)

    assert [str(p) for p in result.found.errors] == [
        f"{path}:$: error: organization_id {missing}: no such organization here or in the directory"
    ]
    assert db.scalars(select(HsdsService)).all() == []


def test_a_bad_email_or_url_format_is_a_warning_not_an_error(db: Session, tmp_path: Path) -> None:
    path = write(tmp_path, service(41, email="front desk at westside", url="not a url"))

    result = importer.import_path(path, db_session=db)

    assert result.ok
    warned = [str(p) for p in result.found.warnings]
    assert f"{path}:$.email: warning: 'front desk at westside' is not a 'email'" in warned


def test_domains_changed_alone_count_as_an_update_and_reach_matching(
    db: Session, tmp_path: Path
) -> None:
    hours = [{"id": "2b1d0c9e-7a6f-4e5d-8c4b-3a2918075101", "freq": "WEEKLY", "byday": "MO",
              "opens_at": "09:00", "closes_at": "12:00"}]  # fmt: skip
    first = service(51, schedules=hours)
    assert importer.import_path(write(tmp_path, first, "a.json"), db_session=db).ok
    before = snapshot.cached(db)
    assert [c.name for c in before.by_domain.get("food", [])] == ["Service 51"]
    second = {**first, "x_firstcall": {"domains": ["legal"]}}

    result = importer.import_path(write(tmp_path, second, "b.json"), db_session=db)

    assert result.summary is not None
    assert result.summary.counts["service"] == {"added": 0, "updated": 1, "unchanged": 0}
    assert db.scalars(select(ServiceDomain.domain)).all() == ["legal"]
    after = snapshot.cached(db)
    assert "food" not in after.by_domain
    assert [c.name for c in after.by_domain["legal"]] == ["Service 51"]
    again = importer.import_path(write(tmp_path, second, "b.json"), db_session=db)
    assert again.summary is not None
    assert again.summary.counts["service"] == {"added": 0, "updated": 0, "unchanged": 1}
    assert datetime.now(UTC) >= db.get(HsdsService, first["id"]).imported_at  # type: ignore[union-attr]


def test_hours_without_a_zone_are_warned_not_guessed(db: Session, tmp_path: Path) -> None:
    hours = {"id": "2b1d0c9e-7a6f-4e5d-8c4b-3a2918076101", "freq": "WEEKLY", "byday": "MO",
             "opens_at": "09:00", "closes_at": "12:00", "timezone": 5.5}  # fmt: skip
    no_place = service(61, schedules=[hours])
    place = {"id": "2b1d0c9e-7a6f-4e5d-8c4b-3a2918076301", "location_type": "physical",
             "schedules": [{**hours, "id": "2b1d0c9e-7a6f-4e5d-8c4b-3a2918076102"}]}  # fmt: skip
    at = {"id": "2b1d0c9e-7a6f-4e5d-8c4b-3a2918076201", "location": place}
    odd_offset = service(62, service_at_locations=[at])
    path = write(tmp_path, [no_place, odd_offset])

    result = importer.import_path(path, db_session=db)

    assert result.ok, result.found.errors
    warned = [str(p) for p in result.found.warnings]
    assert (
        f"{path}:$[0]: warning: schedules without a location: their hours are read as UTC" in warned
    )  # noqa: E501
    location = f"{path}:$[1].service_at_locations[0].location"
    assert f"{location}: warning: no time zone: its schedules are read as UTC" in warned


def test_an_organization_document_without_services_is_read_as_an_organization(
    db: Session, tmp_path: Path
) -> None:
    bare = {"id": ORG, "name": "Westside Services", "description": "Since 1990.",
            "email": "info@westside.example.org"}  # fmt: skip
    path = write(tmp_path, {"contents": [bare]})

    result = importer.import_path(path, db_session=db)

    assert result.ok, [str(p) for p in result.found.errors]
    organization = db.get(HsdsOrganization, ORG)
    assert organization is not None and organization.email == "info@westside.example.org"
