"""Our rules on imported HSDS records, after the schema: messy data cleaned with a warning,
what can't be used made an error. Works on the flat records of `reader`."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from babel import Locale

from api.directory import geo
from api.directory.problems import Found, Record
from api.directory.slots import parse_rule
from api.screening.instrument import DOMAINS

MAPPING_FILE = Path(__file__).resolve().parent / "taxonomy_domains.yml"
REFERRAL_METHODS = ("email", "sms", "webhook", "phone")
COUNTRIES = {"USA": "US", "U.S.": "US", "U.S.A.": "US", "UNITED STATES": "US"}
STRAY = "\"'`\u201c\u201d\u2018\u2019 \t"


@lru_cache
def taxonomy_map() -> tuple[list[tuple[str, str]], dict[str, str]]:
    """(code prefix, domain) longest first, and {term name: domain}."""
    rows = yaml.safe_load(MAPPING_FILE.read_text("utf-8"))
    codes = [(c.upper(), r["domain"]) for r in rows for c in r.get("codes", [])]
    names = {n.casefold(): r["domain"] for r in rows for n in r.get("names", [])}
    return sorted(codes, key=lambda c: -len(c[0])), names


def domains_from_taxonomy(attributes: Any) -> list[str]:
    codes, names = taxonomy_map()
    found: list[str] = []
    for attribute in attributes if isinstance(attributes, list) else []:
        term = attribute.get("taxonomy_term") if isinstance(attribute, dict) else None
        if not isinstance(term, dict):
            continue
        code = str(term.get("code") or "").upper()
        domain = next((d for prefix, d in codes if code and code.startswith(prefix)), None)
        domain = domain or names.get(str(term.get("name") or "").casefold())
        if domain and domain not in found:
            found.append(domain)
    return found


@lru_cache
def _language_codes() -> dict[str, str]:
    names = {name.casefold(): code for code, name in Locale("en").languages.items()}
    names.update({"mandarin": "zh", "cantonese": "zh", "farsi": "fa", "chinese": "zh"})
    return names


def check(found: Found) -> None:
    _dedupe(found)
    by_kind: dict[str, list[Record]] = defaultdict(list)
    for record in found.records:
        by_kind[record.kind].append(record)
    for record in by_kind["phone"]:
        _phone(record, found)
    for record in by_kind["address"]:
        _address(record, found)
    for record in by_kind["language"]:
        _language(record, found)
    for record in by_kind["service"]:
        _service(record, found)
    for record in by_kind["schedule"]:
        _schedule(record, found)
    _locations(by_kind, found)
    _unplaced(by_kind, found)


def _unplaced(by_kind: dict[str, list[Record]], found: Found) -> None:
    """Services with hours but no location in the file: their hours are read as UTC."""
    placed = {
        str(sal.data.get("service_id"))
        for sal in by_kind["service_at_location"]
        if sal.data.get("location_id")
    }
    timed = {str(s.data.get("service_id")) for s in by_kind["schedule"] if s.data.get("service_id")}
    for record in by_kind["service"]:
        if record.id in timed and record.id not in placed:
            found.warn(record.where, "schedules without a location: their hours are read as UTC")


def _dedupe(found: Found) -> None:
    seen: dict[tuple[str, str], Record] = {}
    kept: list[Record] = []
    for record in found.records:
        if "id" not in record.data:
            found.error(record.where, f"{record.kind}: missing required field 'id'")
            continue
        key = (record.kind, record.id)
        first = seen.get(key)
        if first is None:
            seen[key] = record
            kept.append(record)
        elif first.data != record.data or (record.ours and first.ours != record.ours):
            found.error(record.where, f"duplicate {record.kind} id {record.id} ({first.where})")
    found.records = kept


def _phone(record: Record, found: Found) -> None:
    number = record.data.get("number")
    if not isinstance(number, str):
        return
    clean = number.strip(STRAY)
    if clean != number:
        found.warn(f"{record.where}.number", f"phone number {number!r} cleaned to {clean!r}")
        record.data["number"] = clean
    if len(re.sub(r"\D", "", clean)) < 7:
        found.warn(f"{record.where}.number", f"phone number {clean!r} is too short to dial")


def _address(record: Record, found: Found) -> None:
    country = str(record.data.get("country") or "").strip()
    code = COUNTRIES.get(country.upper(), country.upper())
    if code != country and len(code) == 2:
        found.warn(f"{record.where}.country", f"country {country!r} read as {code!r}")
        record.data["country"] = code
    if code != "US":
        found.warn(
            record.where, f"non-US address ({country}): no distance or time zone from its ZIP"
        )
    elif geo.lookup(str(record.data.get("postal_code") or "")) is None:
        found.warn(f"{record.where}.postal_code", "unknown US ZIP code: no distance from it")


def _language(record: Record, found: Found) -> None:
    if record.data.get("code"):
        return
    name = str(record.data.get("name") or "").strip().casefold()
    code = _language_codes().get(name)
    if code:
        record.data["code"] = code
        found.warn(record.where, f"language {name!r} has no ISO code; read as {code!r}")
    else:
        found.warn(record.where, "language without an ISO code: not used for matching")


def _service(record: Record, found: Found) -> None:
    ours = record.ours
    if "domains" in ours:
        domains = [d for d in ours.get("domains") or [] if d]
        for bad in [d for d in domains if d not in DOMAINS]:
            found.warn(f"{record.where}.{'x_firstcall'}.domains", f"unknown domain {bad!r}")
        ours["domains"] = [d for d in domains if d in DOMAINS]
        ours["domain_source"] = "direct"
    else:
        ours["domains"] = domains_from_taxonomy(record.data.get("attributes"))
        ours["domain_source"] = "taxonomy"
    if not ours["domains"]:
        found.warn(record.where, "meets no screening domain: it will not be matched")
    method = ours.get("referral_method")
    if method is not None and method not in REFERRAL_METHODS:
        found.warn(record.where, f"unknown referral method {method!r}: staff will call")
        ours.pop("referral_method")
    if method and not ours.get("referral_target"):
        found.warn(record.where, f"referral by {method} without a target")
    for key, default in (("capacity_per_slot", 1), ("slot_minutes", 60)):
        try:
            value = int(ours.get(key, default))
            if value < 0 or (key == "slot_minutes" and value == 0):
                raise ValueError
            ours[key] = value
        except (TypeError, ValueError):
            found.warn(record.where, f"{key} {ours.get(key)!r} is not a count; {default} used")
            ours[key] = default
    if record.data.get("organization_id") is None:
        found.warn(record.where, "service without an organization")
    exceptions = []
    for i, item in enumerate(ours.get("slot_exceptions") or []):
        try:
            exceptions.append(parse_exception(item))
        except (KeyError, ValueError, TypeError) as exc:
            found.warn(f"{record.where}.x_firstcall.slot_exceptions[{i}]", f"ignored: {exc}")
    ours["slot_exceptions"] = exceptions


def _schedule(record: Record, found: Found) -> None:
    offset = record.data.get("timezone")
    if isinstance(offset, int | float):
        found.warn(
            f"{record.where}.timezone",
            f"numeric UTC offset {offset:g} is not a named zone: the location's zone is used",
        )
    reason = parse_rule(record.data).error
    if reason:
        found.warn(record.where, f"schedule can't be expanded into slots: {reason}")


def _locations(by_kind: dict[str, list[Record]], found: Found) -> None:
    zips: dict[str, str] = {}
    for address in by_kind["address"]:
        if address.data.get("country") == "US" and address.data.get("location_id"):
            zips.setdefault(str(address.data["location_id"]), str(address.data["postal_code"]))
    offsets = _offsets(by_kind)
    for record in by_kind["location"]:
        zip_ = geo.lookup(zips.get(record.id))
        named = record.ours.get("timezone")
        if named:
            try:
                ZoneInfo(str(named))
            except (ZoneInfoNotFoundError, ValueError):
                found.warn(f"{record.where}.x_firstcall.timezone", f"unknown zone {named!r}")
                named = None
        if not named and zip_ and zip_.timezone:
            named = zip_.timezone
        if not named and record.id in offsets and offsets[record.id].is_integer():
            hours = offsets[record.id]
            named = f"Etc/GMT{-hours:+g}" if hours else "Etc/UTC"
            found.warn(record.where, f"no named time zone; fixed offset {named} used (no DST)")
        if not named and record.data.get("location_type") != "virtual":
            found.warn(record.where, "no time zone: its schedules are read as UTC")
        record.ours["timezone"] = named
        if record.data.get("latitude") is None and zip_ is not None:
            record.data.update(latitude=zip_.latitude, longitude=zip_.longitude)
            found.warn(record.where, f"no latitude/longitude: the centre of ZIP {zip_.code} used")


def _offsets(by_kind: dict[str, list[Record]]) -> dict[str, float]:
    """Location id -> a numeric offset one of its schedules gives (directly or through a
    service at that location)."""
    sal_location = {r.id: r.data.get("location_id") for r in by_kind["service_at_location"]}
    service_locations: dict[str, list[str]] = defaultdict(list)
    for sal in by_kind["service_at_location"]:
        if sal.data.get("location_id"):
            service_locations[str(sal.data.get("service_id"))].append(sal.data["location_id"])
    result: dict[str, float] = {}
    for schedule in by_kind["schedule"]:
        offset = schedule.data.get("timezone")
        if not isinstance(offset, int | float):
            continue
        data = schedule.data
        locations = [
            data.get("location_id"),
            sal_location.get(str(data.get("service_at_location_id"))),
        ]
        locations += service_locations.get(str(data.get("service_id")), [])
        for location in locations:
            if location:
                result.setdefault(str(location), float(offset))
    return result


def parse_exception(item: Any) -> dict[str, Any]:
    """One `x_firstcall.slot_exceptions` item, its times as aware datetimes (ValueError)."""
    if not isinstance(item, dict) or item.get("kind") not in ("extra", "closure", "capacity"):
        raise ValueError("kind must be extra, closure or capacity")
    start, end = (datetime.fromisoformat(str(item[k])) for k in ("start", "end"))
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end need a UTC offset")
    if end <= start:
        raise ValueError("end is not after start")
    capacity = item.get("capacity")
    capacity = None if capacity is None else int(capacity)
    return {**item, "start": start, "end": end, "capacity": capacity}
