"""`firstcall partners import`: HSDS 3.0 JSON and tabular packages, messy data, errors that
write nothing, re-imports that update in place."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.cli import app as cli_app
from api.directory import importer
from api.directory.demo import build
from api.directory.models import (
    HsdsLocation,
    HsdsOrganization,
    HsdsPhone,
    HsdsSchedule,
    HsdsService,
    ServiceDomain,
)

DATA = Path(__file__).parent / "data" / "directory"
MESSY = DATA / "messy_service.json"
ORG_ID = "0e3b9a63-6f1d-4c8e-9d8b-7b1a2f3c4d01"
SERVICE_ID = "5f0c3b2e-1c1e-4d4f-9a51-0b7a6b1f0a01"


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def write_package(folder: Path, services: list[dict[str, str]]) -> Path:
    """A small HSDS tabular package: organizations, services, datapackage.json."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "organizations.csv": [{"id": ORG_ID, "name": "Eastside", "description": "Since 1979."}],
        "services.csv": services,
    }
    for name, rows in tables.items():
        with (folder / name).open("w", newline="", encoding="utf-8") as handle:
            fields = sorted({k for row in rows for k in row})
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
    (folder / "datapackage.json").write_text(
        json.dumps(
            {
                "profile": "tabular-data-package",
                "resources": [
                    {"name": "organizations", "path": "organizations.csv"},
                    {"name": "services", "path": "services.csv"},
                ],
            }
        ),  # fmt: skip
        "utf-8",
    )
    return folder


def service_row(n: int, **extra: str) -> dict[str, str]:
    row = {
        "id": f"5f0c3b2e-1c1e-4d4f-9a51-0b7a6b1f0{n:03d}",
        "organization_id": ORG_ID,
        "name": f"Service {n}",
        "status": "active",
        "x_firstcall_domains": "food;legal",
        "x_firstcall_referral_method": "email",
        "x_firstcall_referral_target": "intake@eastside.example.org",
    }
    row.update(extra)
    return row


def test_import_demo_data_covers_every_domain(db: Session) -> None:
    result = importer.import_path(build.JSON_FILE, db_session=db)

    assert result.ok, result.found.errors
    assert result.found.warnings == []
    assert result.summary is not None
    assert result.summary.counts["service"]["added"] == count(db, HsdsService) >= 26
    domains = db.execute(
        select(ServiceDomain.domain, func.count()).group_by(ServiceDomain.domain)
    ).all()
    from api.screening.instrument import DOMAINS

    assert {d for d, n in domains if n >= 2} == set(DOMAINS)
    zones = set(db.scalars(select(HsdsLocation.timezone)))
    assert zones == {"America/Los_Angeles"}


def test_demo_json_file_is_in_step_with_its_source() -> None:
    assert json.loads(build.JSON_FILE.read_text("utf-8")) == build.document()


def test_file_with_warnings_imports_what_is_sound(db: Session) -> None:
    result = importer.import_path(MESSY, db_session=db)

    assert result.ok, result.found.errors
    warnings = {str(p) for p in result.found.warnings}
    where = f"{MESSY}:$"
    cleaned = "phone number '\"(619) 555-0142\\'' cleaned to '(619) 555-0142'"
    assert f"{where}.phones[0].number: warning: {cleaned}" in warnings
    assert any(
        w.startswith(f"{where}.schedules[0].timezone: warning: numeric UTC offset -8")
        for w in warnings
    )
    assert any("non-US address (MX)" in w for w in warnings)
    assert any("language 'vietnamese' has no ISO code; read as 'vi'" in w for w in warnings)
    assert db.scalars(select(HsdsPhone.number)).one() == "(619) 555-0142"
    # the numeric offset became the named zone of the location's ZIP (92105)
    warehouse = db.get(HsdsLocation, "1a2b3c4d-0000-4000-8000-000000000001")
    assert warehouse is not None and warehouse.timezone == "America/Los_Angeles"
    assert warehouse.latitude is not None  # from the ZIP's centre, with a warning
    # domains from the taxonomy term BD-1800.2000 through the mapping file
    assert db.scalars(select(ServiceDomain.domain)).all() == ["food"]


def test_malformed_package_reports_its_row_and_writes_nothing(db: Session, tmp_path: Path) -> None:
    bad = service_row(2)
    del bad["name"]  # a required field
    package = write_package(tmp_path / "pkg", [service_row(1), bad, service_row(3)])

    result = importer.import_path(package, db_session=db)

    assert not result.ok
    assert [str(p) for p in result.found.errors] == [
        f"{package}/services.csv:3: error: 'name' is a required property"
    ]
    assert result.summary is None
    assert count(db, HsdsService) == count(db, HsdsOrganization) == 0


def test_duplicate_id_is_an_error_and_nothing_is_written(db: Session, tmp_path: Path) -> None:
    first, second = service_row(1), service_row(1, name="Another name")
    package = write_package(tmp_path / "dup", [first, service_row(2), second])

    result = importer.import_path(package, db_session=db)

    assert [str(p) for p in result.found.errors] == [
        f"{package}/services.csv:4: error: duplicate service id {first['id']} "
        f"({package}/services.csv:2)"
    ]
    assert count(db, HsdsService) == 0


def test_unreadable_file_is_an_error(db: Session, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"id": ', "utf-8")
    result = importer.import_path(broken, db_session=db)
    assert len(result.found.errors) == 1
    assert str(result.found.errors[0]).startswith(f"{broken}: error: unreadable file")
    assert count(db, HsdsService) == 0


def test_reimport_updates_in_place_and_is_idempotent(db: Session, tmp_path: Path) -> None:
    first = importer.import_path(MESSY, db_session=db)
    assert first.summary is not None and first.summary.counts["service"]["added"] == 1
    changed = json.loads(MESSY.read_text("utf-8"))
    changed["name"] = "Eastside Food Pantry and Kitchen"
    changed["schedules"][0]["closes_at"] = "13:00"
    del changed["phones"]  # the document lists its phones in full: this one is gone
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(changed), "utf-8")

    second = importer.import_path(edited, db_session=db)
    third = importer.import_path(edited, db_session=db)

    assert second.summary is not None and third.summary is not None
    assert second.summary.counts["service"] == {"added": 0, "updated": 1, "unchanged": 0}
    assert second.summary.counts["schedule"] == {"added": 0, "updated": 1, "unchanged": 0}
    assert third.summary.counts["service"] == {"added": 0, "updated": 0, "unchanged": 1}
    assert third.summary.counts["schedule"] == {"added": 0, "updated": 0, "unchanged": 1}
    assert count(db, HsdsService) == 1 and count(db, HsdsSchedule) == 1
    assert count(db, HsdsPhone) == 0
    service = db.get(HsdsService, SERVICE_ID)
    assert service is not None and service.name == "Eastside Food Pantry and Kitchen"


def test_tabular_zip_package_with_our_fields(db: Session, tmp_path: Path) -> None:
    package = write_package(tmp_path / "pkg", [service_row(1), service_row(2)])
    archive = tmp_path / "directory.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for item in package.iterdir():
            zf.write(item, f"hsds/{item.name}")

    result = importer.import_path(archive, db_session=db)

    assert result.ok, result.found.errors
    service = db.get(HsdsService, service_row(1)["id"])
    assert service is not None
    assert (service.referral_method, service.referral_target) == (
        "email",
        "intake@eastside.example.org",
    )
    assert sorted(db.scalars(select(ServiceDomain.domain).where(
        ServiceDomain.service_id == service.id))) == ["food", "legal"]  # fmt: skip


def test_cli_import_prints_a_summary_or_the_errors(db: Session, tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["partners", "import", str(MESSY)])
    assert ok.exit_code == 0, ok.output
    assert "services: 1 added, 0 updated, 0 unchanged" in ok.stdout
    assert "warning: phone number" in ok.stderr
    assert "checking 1/1" in ok.stderr and "writing 14/14" in ok.stderr  # progress

    bad = service_row(9)
    del bad["status"]
    package = write_package(tmp_path / "bad", [bad])
    failed = runner.invoke(cli_app, ["partners", "import", str(package)])
    assert failed.exit_code == 1
    assert f"{package}/services.csv:2: error: 'status' is a required property" in failed.stderr
    assert "nothing was imported" in failed.stderr
    assert db.get(HsdsService, bad["id"]) is None
