"""What every resource builder shares: stable ids, references inside the bundle, and the
entries collected so far."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Resource = dict[str, Any]


def instant(value: datetime) -> str:
    """A FHIR instant/dateTime: always with its offset (the database keeps UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class BundleContext:
    """`base`: the public base URL (our identifier systems and canonicals live under it).
    Ids are uuid5 of the handoff and the resource's key, so the same handoff gives the same
    ids every time: a receiver can update instead of duplicating."""

    handoff_id: str
    base: str
    entries: list[Resource] = field(default_factory=list)

    def id_for(self, *key: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join((self.base, self.handoff_id, *key))))

    def add(self, resource: Resource, *key: str, resource_id: str | None = None) -> dict[str, str]:
        """Put the resource in the bundle; its reference (for other resources to use).
        `resource_id`: an id of its own (a UUID), kept outside this bundle too (Tasks)."""
        resource_id = resource_id or self.id_for(resource["resourceType"], *key)
        resource = {"resourceType": resource.pop("resourceType"), "id": resource_id, **resource}
        full_url = f"urn:uuid:{resource_id}"
        self.entries.append({"fullUrl": full_url, "resource": resource})
        return {"reference": full_url}

    def of_type(self, resource_type: str) -> list[Resource]:
        return [
            e["resource"] for e in self.entries if e["resource"]["resourceType"] == resource_type
        ]


def meta(profile: str) -> dict[str, list[str]]:
    return {"profile": [profile]}
