"""What the participant sees for a screening step: the question, its options as buttons
(numbered menus on SMS), and a progress hint. Rendered for Rasa's NLG endpoint."""

from __future__ import annotations

import json
from typing import Any

from api.i18n.catalog import Rendered, render
from api.screening.instrument import Question

ANSWER_INTENT = "screening_answer"


def answer_payload(number: int) -> str:
    return f"/{ANSWER_INTENT}" + json.dumps({"answer": str(number)}, separators=(",", ":"))


def question(question: Question, step: int, total: int, language: str | None) -> Rendered:
    progress = render("screening.progress", language, {"step": step, "total": total}).text
    body = render(question.text_key, language).text
    parts = [f"{progress} {body}"]
    if question.type == "multi":
        parts.append(render("screening.pick_all", language).text)
    buttons = [
        {"title": render(question.option_key(o), language).text, "payload": answer_payload(i)}
        for i, o in enumerate(question.options, start=1)
    ]
    return Rendered(text="\n".join(parts), language=language or "en", buttons=buttons)


def from_arguments(arguments: dict[str, Any], language: str | None) -> Rendered:
    """The NLG side of `utter_screening_question`: the action names the question and step."""
    from api.screening.instrument import modules

    wanted = str(arguments.get("question", ""))
    found = next((q for m in modules().values() for q in m.questions if q.id == wanted), None)
    if found is None:
        return render("utter_default", language)
    return question(found, int(arguments.get("step", 1)), int(arguments.get("total", 1)), language)
