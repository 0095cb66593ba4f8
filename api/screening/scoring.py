"""Scoring by the published rules, from the instrument files: each domain comes out
positive, negative or declined.

- any_positive: positive if any answer is positive; negative if at least one question was
  answered and none is positive; declined if every question was declined.
- sum_at_least (HITS safety >= 11, PHQ-2 >= 3): the total of option scores; it needs every
  item answered, otherwise the domain is declined.

A result is urgent when an answer in it is marked `urgent`, or when the domain is marked
`urgent` and its result is positive (both in the instrument files).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.screening.instrument import DomainRule, Module, Question

POSITIVE, NEGATIVE, DECLINED = "positive", "negative", "declined"


@dataclass(frozen=True)
class Answer:
    question_id: str
    option_ids: tuple[str, ...] = ()
    declined: bool = False


@dataclass(frozen=True)
class DomainResult:
    domain: str
    module: str
    status: str
    score: int | None = None
    loinc: str | None = None
    urgent: bool = False
    questions: tuple[str, ...] = field(default_factory=tuple)


def _question(module: Module, question_id: str) -> Question:
    return next(q for q in module.questions if q.id == question_id)


def score_domain(module: Module, rule: DomainRule, answers: dict[str, Answer]) -> DomainResult:
    given = [answers[q] for q in rule.questions if q in answers and not answers[q].declined]
    urgent = any(
        _question(module, a.question_id).option(o).urgent for a in given for o in a.option_ids
    )
    if rule.rule == "sum_at_least":
        if len(given) < len(rule.questions) or any(not a.option_ids for a in given):
            status, total = DECLINED, None
        else:
            total = sum(
                _question(module, a.question_id).option(a.option_ids[0]).score or 0 for a in given
            )
            assert rule.threshold is not None
            status = POSITIVE if total >= rule.threshold else NEGATIVE
        return DomainResult(
            rule.domain,
            module.id,
            status,
            total,
            rule.loinc,
            urgent or (rule.urgent and status == POSITIVE),
            rule.questions,
        )
    if not given:
        return DomainResult(
            rule.domain, module.id, DECLINED, None, rule.loinc, False, rule.questions
        )
    positive = any(
        _question(module, a.question_id).option(o).positive for a in given for o in a.option_ids
    )
    return DomainResult(
        rule.domain,
        module.id,
        POSITIVE if positive else NEGATIVE,
        None,
        rule.loinc,
        urgent or (rule.urgent and positive),
        rule.questions,
    )


def score(modules: list[Module], answers: dict[str, Answer]) -> list[DomainResult]:
    return [score_domain(m, rule, answers) for m in modules for rule in m.domains]
