"""SMS segment budgets: every template, in every language, with worst-case arguments.

python -m api.i18n.budget        # list templates over budget (exit 1 if any)
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from api.channels.menus import numbered
from api.i18n import sms
from api.i18n.catalog import render
from api.i18n.locales import SUPPORTED_LOCALES
from api.i18n.texts import TEMPLATES


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


def screening_report() -> str:
    """Messages and SMS segments a participant receives for a whole screening, per language:
    the consent question, the intro, every question, and a summary naming three areas."""
    from api.screening.messages import summary

    questions = [c for c in question_costs()]
    lines = [
        "| language | encoding | messages | segments | per question (min-max) |",
        "|---|---|---|---|---|",
    ]
    for tag in SUPPORTED_LOCALES:
        own = [c for c in questions if c.language == tag]
        extra = [
            sms_text("utter_screening_consent", tag),
            sms_text("utter_screening_intro", tag),
            sms.clean_for_sms(summary({"domains": "housing,food,transportation"}, tag).text),
        ]
        segs = sum(c.segments for c in own) + sum(sms.segments(t) for t in extra)
        per = [c.segments for c in own]
        encodings = {c.encoding for c in own}
        lines.append(
            f"| {tag} | {'/'.join(sorted(encodings))} | {len(own) + len(extra)} | "
            f"{segs} | {min(per)}-{max(per)} |"
        )
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
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
