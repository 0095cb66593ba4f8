"""What the participant sees for a screening step: the question, its options as buttons
(numbered menus on SMS), and a progress hint. Rendered for Rasa's NLG endpoint.

A button's payload names its question and the instrument version, so a tap on an old
button is recognised as old (`service.reply`), never taken as the current answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

from api.i18n.catalog import Rendered, render
from api.i18n.texts import TEMPLATES
from api.screening.instrument import Question

ANSWER_INTENT = "screening_answer"


def answer_payload(question: Question, number: int) -> str:
    args = {"answer": str(number), "question": question.id, "v": question.version}
    return f"/{ANSWER_INTENT}" + json.dumps(args, separators=(",", ":"))


def payload_fields(text: str) -> dict[str, str]:
    """The fields of a button payload, `/intent{...}` ({} for anything else)."""
    match = re.fullmatch(r"/\w+(\{.*\})", text.strip(), flags=re.S)
    if match is None:
        return {}
    try:
        fields = json.loads(match.group(1))
    except ValueError:
        return {}
    if not isinstance(fields, dict):
        return {}
    return {k: str(v) for k, v in fields.items() if isinstance(v, str | int)}


def _text(key: str, english: str, language: str | None) -> str:
    """A question's text from the catalogs; a version no longer in the files (a live session
    on an edited instrument, before `make translations`) falls back to its English source."""
    return render(key, language).text if key in TEMPLATES else english


def question(question: Question, step: int, total: int, language: str | None) -> Rendered:
    progress = render("screening.progress", language, {"step": step, "total": total}).text
    body = _text(question.text_key, question.text, language)
    parts = [f"{progress} {body}"]
    if question.type == "multi":
        parts.append(render("screening.pick_all", language).text)
    buttons = [
        {
            "title": _text(question.option_key(o), o.text, language),
            "payload": answer_payload(question, i),
        }
        for i, o in enumerate(question.options, start=1)
    ]
    return Rendered(text="\n".join(parts), language=language or "en", buttons=buttons)


def from_arguments(arguments: dict[str, Any], language: str | None) -> Rendered:
    """The NLG side of `utter_screening_question`: the action names the question, its
    version (`v`) and the step."""
    from api.screening.versions import find_question

    wanted = str(arguments.get("question", ""))
    found = find_question(wanted, str(arguments.get("v") or "") or None)
    if found is None:
        return render("utter_default", language)
    return question(found, int(arguments.get("step", 1)), int(arguments.get("total", 1)), language)
