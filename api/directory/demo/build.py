"""The demo partners (partners.yml) as HSDS 3.0 service documents.

`python -m api.directory.demo.build` rewrites partners.json, a file to try
`firstcall partners import` on; `firstcall load-demo` builds the same documents in memory
and adds this fortnight's full and closed days (see `api.directory.demo.load`).
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import yaml
import zipcodes

HERE = Path(__file__).resolve().parent
SPEC = HERE / "partners.yml"
JSON_FILE = HERE / "partners.json"
NAMESPACE = uuid.UUID("8f6d2f3e-5b1c-4a7e-9a55-0d3c1f7e2b10")
ZONE = "America/Los_Angeles"
DTSTART = "2026-01-05"  # a Monday
LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "zh": "Chinese", "vi": "Vietnamese",
                  "ar": "Arabic"}  # fmt: skip
HOURS = re.compile(
    r"^(?:(?P<every>every (?P<n>\d+) weeks) |(?P<monthly>monthly) )?"
    r"(?P<days>[0-9A-Z,-]+) (?P<opens>\d\d:\d\d)-(?P<closes>\d\d:\d\d)$"
)


def uid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def spec() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SPEC.read_text("utf-8"))
    return data


def _location(loc: dict[str, Any]) -> dict[str, Any]:
    lid = uid("location", loc["name"])
    return {
        "id": lid,
        "location_type": "physical",
        "name": loc["name"],
        "latitude": loc["lat"],
        "longitude": loc["lon"],
        "addresses": [
            {
                "id": uid("address", loc["name"]),
                "location_id": lid,
                "address_1": loc["street"],
                "city": loc.get("city") or zipcodes.matching(loc["zip"])[0]["city"],
                "state_province": "CA",
                "postal_code": loc["zip"],
                "country": "US",
                "address_type": "physical",
            }
        ],
        "x_firstcall": {"timezone": ZONE},
    }


def _schedule(service_id: str, index: int, hours: str) -> dict[str, Any]:
    match = HOURS.match(hours)
    if match is None:
        raise ValueError(f"hours {hours!r}: expected 'DAYS HH:MM-HH:MM'")
    schedule: dict[str, Any] = {
        "id": uid("schedule", service_id, str(index)),
        "service_id": service_id,
        "freq": "MONTHLY" if match["monthly"] else "WEEKLY",
        "byday": match["days"],
        "dtstart": DTSTART,
        "opens_at": match["opens"],
        "closes_at": match["closes"],
        "description": hours,
    }
    if match["every"]:
        schedule["interval"] = int(match["n"])
    return schedule


def _area(service_id: str, area: list[str]) -> dict[str, Any]:
    if all(re.fullmatch(r"\d{5}", a) for a in area):
        return {"id": uid("area", service_id), "service_id": service_id,
                "name": "ZIP codes " + ", ".join(area), "extent": ",".join(area),
                "extent_type": "postal_codes"}  # fmt: skip
    return {"id": uid("area", service_id), "service_id": service_id, "name": area[0],
            "extent_type": "county"}  # fmt: skip


def _service(org: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
    sid = uid("service", item["name"])
    org_id = uid("organization", org["name"])
    method, target = item["referral"]
    service: dict[str, Any] = {
        "id": sid,
        "organization_id": org_id,
        "name": item["name"],
        "description": item.get("description", f"{item['name']}, by {org['name']}."),
        "status": "active",
        "organization": {"id": org_id, "name": org["name"], "description": org["description"]},
        "languages": [
            {
                "id": uid("language", sid, code),
                "service_id": sid,
                "code": code,
                "name": LANGUAGE_NAMES.get(code, code),
            }
            for code in item["languages"]
        ],  # fmt: skip
        "schedules": [_schedule(sid, i, h) for i, h in enumerate(item["hours"])],
        "service_at_locations": [
            {
                "id": uid("service_at_location", sid),
                "service_id": sid,
                "location": _location(item.get("location") or org["location"]),
            }
        ],
        "phones": [
            {
                "id": uid("phone", sid),
                "service_id": sid,
                "type": "voice",
                "number": f"(619) 555-{(int(uuid.UUID(sid)) % 9000) + 1000:04d}",
            }
        ],  # fmt: skip
        "x_firstcall": {
            "domains": item["domains"],
            "referral_method": method,
            "referral_target": target,
            "capacity_per_slot": item.get("capacity", 2),
            "slot_minutes": item.get("minutes", 60),
        },
    }
    if item.get("interpretation"):
        service["interpretation_services"] = item["interpretation"]
    if item.get("eligibility"):
        service["eligibility_description"] = item["eligibility"]
    for key in ("min_age", "max_age"):
        if key in item:
            service[key.replace("min", "minimum").replace("max", "maximum")] = item[key]
    if item.get("documents"):
        service["required_documents"] = [
            {"id": uid("document", sid, d), "service_id": sid, "document": d}
            for d in item["documents"]
        ]
    if item.get("area"):
        service["service_areas"] = [_area(sid, item["area"])]
    return service


def document() -> dict[str, Any]:
    """Every demo service, as an HSDS paginated list of service documents."""
    services = [_service(o, s) for o in spec()["organizations"] for s in o["services"]]
    return {"contents": services, "total_items": len(services), "total_pages": 1,
            "page_number": 1, "size": len(services), "first_page": True, "last_page": True,
            "empty": not services}  # fmt: skip


def main() -> None:
    JSON_FILE.write_text(json.dumps(document(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {JSON_FILE}")


if __name__ == "__main__":
    main()
