"""Screening instruments as versioned data (instruments/*.yml), loaded and checked here.

Adding a question or a module touches data, not code. Texts in the files are English
sources: `make translations` puts them in the catalogs as screening.<question>[.<option>].
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"
DOMAINS = (
    "housing", "food", "utilities", "transportation", "safety", "employment", "education",
    "financial", "childcare", "legal", "health_care", "mental_health", "substance_use",
)  # fmt: skip


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    loinc: str | None
    positive: bool = False
    urgent: bool = False
    exclusive: bool = False
    score: int | None = None


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    domain: str
    loinc: str | None
    type: str  # single | multi
    sensitive: bool
    text: str
    options: tuple[Option, ...]
    sms_segments: int = 3  # budget for the whole SMS: question, numbered options, hint
    version: str = ""  # the digest of its module's content: button payloads carry it

    @property
    def text_key(self) -> str:
        return f"screening.{self.id}"

    def option_key(self, option: Option) -> str:
        return f"screening.{self.id}.{option.id}"

    def option(self, option_id: str) -> Option:
        return next(o for o in self.options if o.id == option_id)


@dataclass(frozen=True)
class DomainRule:
    """How a domain is scored, and what it means for staff and for the summary.

    `urgent`: a positive result is urgent on its own (an urgent answer always is);
    `flag`: the handoff reason an urgent answer or result raises, in the turn it is given;
    `resources`: the response said to the participant in that turn (a hotline);
    `sensitive`: the summary never names it ("followed up privately").
    """

    domain: str
    rule: str  # any_positive | sum_at_least
    questions: tuple[str, ...]
    threshold: int | None = None
    loinc: str | None = None
    urgent: bool = False
    flag: str | None = None
    resources: str | None = None
    sensitive: bool = False


@dataclass(frozen=True)
class Module:
    id: str
    version: str  # the label in the file ("2026-11")
    title: str
    loinc: str | None
    questions: tuple[Question, ...]
    domains: tuple[DomainRule, ...]
    digest: str = ""  # of the file's content: what a session pins
    source: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class InstrumentError(ValueError):
    pass


def digest_of(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _module(path: Path) -> Module:
    return module_from_data(yaml.safe_load(path.read_text(encoding="utf-8")))


def module_from_data(data: dict[str, Any]) -> Module:
    """A module from its file's content (or from a stored snapshot of it)."""
    module_id = str(data["id"])
    digest = digest_of(data)
    questions = tuple(
        Question(
            id=q["id"],
            module=module_id,
            domain=q["domain"],
            loinc=q.get("loinc"),
            type=q.get("type", "single"),
            sensitive=bool(q.get("sensitive", False)),
            text=q["text"],
            options=tuple(
                Option(
                    id=o["id"],
                    text=o["text"],
                    loinc=o.get("loinc"),
                    positive=bool(o.get("positive", False)),
                    urgent=bool(o.get("urgent", False)),
                    exclusive=bool(o.get("exclusive", False)),
                    score=o.get("score"),
                )
                for o in q["options"]
            ),
            sms_segments=int(q.get("sms_segments", 3)),
            version=digest,
        )
        for q in data["questions"]
    )
    domains = tuple(
        DomainRule(
            domain=d["domain"],
            rule=d["rule"],
            questions=tuple(d["questions"]),
            threshold=d.get("threshold"),
            loinc=d.get("loinc"),
            urgent=bool(d.get("urgent", False)),
            flag=d.get("flag"),
            resources=d.get("resources"),
            sensitive=bool(d.get("sensitive", False)),
        )
        for d in data["domains"]
    )
    module = Module(
        module_id,
        str(data["version"]),
        data["title"],
        data.get("loinc"),
        questions,
        domains,
        digest,
        data,
    )
    _check(module)
    return module


def _check(module: Module) -> None:
    ids = [q.id for q in module.questions]
    if len(set(ids)) != len(ids):
        raise InstrumentError(f"{module.id}: duplicate question ids")
    for question in module.questions:
        if question.domain not in DOMAINS:
            raise InstrumentError(f"{question.id}: unknown domain {question.domain}")
        if question.type not in ("single", "multi"):
            raise InstrumentError(f"{question.id}: unknown type {question.type}")
        if len({o.id for o in question.options}) != len(question.options):
            raise InstrumentError(f"{question.id}: duplicate option ids")
    for rule in module.domains:
        missing = set(rule.questions) - set(ids)
        if missing:
            raise InstrumentError(f"{module.id}/{rule.domain}: unknown questions {missing}")
        if rule.rule not in ("any_positive", "sum_at_least"):
            raise InstrumentError(f"{module.id}/{rule.domain}: unknown rule {rule.rule}")
        if rule.rule == "sum_at_least" and rule.threshold is None:
            raise InstrumentError(f"{module.id}/{rule.domain}: sum_at_least needs a threshold")
        urgent_options = any(
            o.urgent for q in module.questions if q.id in rule.questions for o in q.options
        )
        if (rule.urgent or urgent_options) and not rule.flag:
            raise InstrumentError(
                f"{module.id}/{rule.domain}: urgent answers need a flag (the handoff reason)"
            )


@lru_cache
def modules() -> dict[str, Module]:
    found = {}
    for path in sorted(INSTRUMENTS_DIR.glob("*.yml")):
        module = _module(path)
        found[module.id] = module
    all_ids = [q.id for m in found.values() for q in m.questions]
    if len(set(all_ids)) != len(all_ids):
        raise InstrumentError("question ids must be unique across modules")
    return found


def questions_for(module_ids: list[str]) -> list[Question]:
    available = modules()
    unknown = [m for m in module_ids if m not in available]
    if unknown:
        raise InstrumentError(f"unknown screening modules {unknown}; have {sorted(available)}")
    return [q for m in module_ids for q in available[m].questions]


def sensitive_domains() -> set[str]:
    """Domains the summary never names: marked `sensitive: true` in the files."""
    return {rule.domain for m in modules().values() for rule in m.domains if rule.sensitive}


def catalog_messages() -> Iterator[tuple[str, str, str]]:
    """(msgctxt, English text, origin) for every question and option."""
    for module in modules().values():
        origin = f"api/screening/instruments/{module.id}"
        for question in module.questions:
            yield question.text_key, question.text, origin
            for option in question.options:
                yield question.option_key(option), option.text, origin
