"""The partner matrix: who provides or pays for what (data, read by matching)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_FILE = Path(__file__).resolve().parent / "demo" / "matrix.yml"


@dataclass(frozen=True)
class Entry:
    organization: str
    label: str
    provides: tuple[str, ...] = ()
    pays_for: tuple[str, ...] = ()
    does_not_pay_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    fits: bool | None  # True: covers this domain; False: listed as not paying; None: unknown
    reason: str | None = None


def _words(items: list[str]) -> str:
    names = [i.replace("_", " ") for i in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class Matrix:
    supports: dict[str, str]  # support -> screening domain
    entries: dict[str, Entry]  # organization name, casefolded -> entry

    def entry(self, organization: str | None) -> Entry | None:
        return self.entries.get((organization or "").casefold())

    def verdict(self, organization: str | None, domain: str) -> Verdict:
        entry = self.entry(organization)
        if entry is None:
            return Verdict(None)
        items = {s for s, d in self.supports.items() if d == domain}
        provides = [s for s in entry.provides if s in items]
        pays = [s for s in entry.pays_for if s in items]
        refused = [s for s in entry.does_not_pay_for if s in items]
        if provides or pays:
            parts = []
            if provides:
                parts.append(f"provides {_words(provides)}")
            if pays:
                parts.append(f"pays for {_words(pays)}")
            reason = f"partner matrix: {entry.label} " + " and ".join(parts)
            if refused:
                reason += f" (not {_words(refused)})"
            return Verdict(True, reason)
        if refused:
            return Verdict(
                False, f"partner matrix: {entry.label} doesn't pay for {_words(refused)}"
            )
        return Verdict(None)

    def payers(self, support: str) -> list[str]:
        """Who provides or pays for one support (for staff: who covers what TANF can't)."""
        return [e.label for e in self.entries.values() if support in e.pays_for + e.provides]


def parse(data: dict[str, Any]) -> Matrix:
    entries = {}
    for item in data.get("partners", []):
        entry = Entry(
            organization=item["organization"],
            label=item.get("label", item["organization"]),
            provides=tuple(item.get("provides", [])),
            pays_for=tuple(item.get("pays_for", [])),
            does_not_pay_for=tuple(item.get("does_not_pay_for", [])),
        )
        entries[entry.organization.casefold()] = entry
    return Matrix(dict(data.get("supports", {})), entries)


@lru_cache
def load(path: Path = DEFAULT_FILE) -> Matrix:
    return parse(yaml.safe_load(path.read_text("utf-8")))
