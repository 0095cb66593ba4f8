"""SMS segment budgets: every template, in every language, with worst-case arguments.

python -m api.i18n.budget            # templates over budget, screenings over the ratio (exit 1)
python -m api.i18n.budget --report   # the whole-screening table, per language

The ratio a whole screening may cost against English is data: api/i18n/budgets.yml.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from api.channels.menus import numbered
from api.i18n import sms
from api.i18n.catalog import render
from api.i18n.locales import SUPPORTED_LOCALES
from api.i18n.texts import TEMPLATES

RULES = Path(__file__).with_name("budgets.yml")
# around the questions: the consent question and the intro (then the summary)
SCREENING_FRAME = ("utter_screening_consent", "utter_screening_intro")


@lru_cache
def max_screening_ratio() -> float:
    """How many times the English segments a whole screening may cost in any language."""
    rules = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return float(rules["screening_max_ratio_to_english"])


@dataclass(frozen=True)
class Cost:
    key: str
    language: str
    segments: int
    budget: int
    encoding: str
    text: str


def sms_text(key: str, language: str) -> str:
    template = TEMPLATES[key]
    rendered = render(key, language, template.sample_args())
    return sms.clean_for_sms(numbered(rendered.text, rendered.buttons, language))


def costs() -> list[Cost]:
    rows = []
    for key, template in TEMPLATES.items():
        for tag in SUPPORTED_LOCALES:
            text = sms_text(key, tag)
            rows.append(
                Cost(key, tag, sms.segments(text), template.segments, sms.encoding(text), text)
            )
    return rows


def question_costs() -> list[Cost]:
    """Each screening question as the SMS a participant gets, in every language."""
    from api.screening import prompts
    from api.screening.instrument import modules

    rows = []
    questions = [q for m in modules().values() for q in m.questions]
    for tag in SUPPORTED_LOCALES:
        for number, question in enumerate(questions, start=1):
            rendered = prompts.question(question, number, len(questions), tag)
            text = sms.clean_for_sms(numbered(rendered.text, rendered.buttons, tag))
            rows.append(
                Cost(
                    f"question:{question.id}",
                    tag,
                    sms.segments(text),
                    question.sms_segments,
                    sms.encoding(text),
                    text,
                )
            )
    return rows


def over_budget() -> list[Cost]:
    return [c for c in [*costs(), *question_costs()] if c.segments > c.budget]


@dataclass(frozen=True)
class Screening:
    language: str
    encodings: str
    messages: int
    segments: int
    per_question: tuple[int, int]


def screenings() -> list[Screening]:
    """Messages and SMS segments a participant receives for a whole screening, per language:
    the consent question, the intro, every question, and a summary naming three areas."""
    return [_screening(tag, tag) for tag in SUPPORTED_LOCALES]


def unaccented_screening() -> Screening:
    """The Vietnamese screening as a participant with the no-diacritics style gets it."""
    from api.i18n.folding import unaccent
    from api.i18n.style import rules

    tag = rules().language
    return _screening(tag, f"{tag} (no marks)", unaccent)


def _screening(tag: str, label: str, style: Callable[[str], str] | None = None) -> Screening:
    from api.screening import prompts
    from api.screening.instrument import modules
    from api.screening.messages import summary

    questions = [q for m in modules().values() for q in m.questions]
    texts = [
        numbered(r.text, r.buttons, tag)
        for r in (prompts.question(q, n, len(questions), tag) for n, q in enumerate(questions, 1))
    ]
    extra = [
        numbered(r.text, r.buttons, tag)
        for r in (render(k, tag, TEMPLATES[k].sample_args()) for k in SCREENING_FRAME)
    ]
    extra.append(summary({"domains": "housing,food,transportation"}, tag).text)
    sent = [sms.clean_for_sms(style(t) if style else t) for t in [*texts, *extra]]
    per = [sms.segments(t) for t in sent[: len(texts)]]
    encodings = "/".join(sorted({sms.encoding(t) for t in sent[: len(texts)]}))
    return Screening(
        label, encodings, len(sent), sum(sms.segments(t) for t in sent), (min(per), max(per))
    )


def over_ratio(rows: list[Screening] | None = None) -> list[tuple[Screening, float]]:
    """Languages whose whole screening costs more than the allowed ratio to English."""
    rows = rows if rows is not None else screenings()
    english = next(r.segments for r in rows if r.language == "en")
    ratios = [(r, r.segments / english) for r in rows]
    return [(r, ratio) for r, ratio in ratios if ratio > max_screening_ratio()]


def screening_report() -> str:
    rows = screenings()
    english = next(r.segments for r in rows if r.language == "en")
    lines = [
        "| language | encoding | messages | segments | x English | per question (min-max) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.language} | {r.encodings} | {r.messages} | {r.segments} | "
            f"{r.segments / english:.2f} | {r.per_question[0]}-{r.per_question[1]} |"
        )
    folded = unaccented_screening()
    lines.append(
        f"| {folded.language} | {folded.encodings} | {folded.messages} | {folded.segments} | "
        f"{folded.segments / english:.2f} | {folded.per_question[0]}-{folded.per_question[1]} |"
    )
    lines.append(f"(at most {max_screening_ratio():g}x English: api/i18n/budgets.yml)")
    return "\n".join(lines)


def main() -> int:
    if "--report" in sys.argv:
        print(screening_report())
        return 0
    over = over_budget()
    for cost in over:
        print(
            f"{cost.language} {cost.key}: {cost.segments} segments ({cost.encoding}), "
            f"budget {cost.budget}: {cost.text!r}"
        )
    print(f"{len(over)} templates over budget")
    too_dear = over_ratio()
    for row, ratio in too_dear:
        print(f"{row.language}: a screening costs {row.segments} segments, {ratio:.2f}x English")
    print(f"{len(too_dear)} languages over {max_screening_ratio():g}x English for a screening")
    return 1 if over or too_dear else 0


if __name__ == "__main__":
    sys.exit(main())
