"""Understanding an answer: a number, "1,3" for pick-all, an option's words in the
participant's language or English, or yes/no from NLU. None means "didn't understand"."""

from __future__ import annotations

import re

from api.i18n.catalog import translate
from api.i18n.folding import fold
from api.i18n.texts import TEMPLATES
from api.screening.instrument import Option, Question

_NUMBERS_ONLY = re.compile(r"^[\d\s,;/&+\-y]*$|^[\d\s,;/&+]*(?:and|y|va|و|和|及)[\d\s,;/&+]*$")


def _label(question: Question, option: Option, language: str | None) -> set[str]:
    texts = {fold(option.text)}
    if question.option_key(option) in TEMPLATES:  # not for a version no longer in the files
        texts.add(fold(translate(question.option_key(option), language)[0]))
    return {t for t in texts if t}


def _by_numbers(question: Question, folded: str) -> tuple[str, ...] | None:
    if not _NUMBERS_ONLY.match(folded) or not re.search(r"\d", folded):
        return None
    picks = []
    for number in re.findall(r"\d+", folded):
        index = int(number) - 1
        if not 0 <= index < len(question.options):
            return None
        option_id = question.options[index].id
        if option_id not in picks:
            picks.append(option_id)
    return tuple(picks)


def _by_words(question: Question, folded: str, language: str | None) -> tuple[str, ...] | None:
    exact = [o.id for o in question.options if folded in _label(question, o, language)]
    if len(exact) == 1:
        return (exact[0],)
    # a reply that is part of exactly one label ("often" for "often true"), or contains it
    partial = [
        o.id
        for o in question.options
        if any(
            re.search(rf"(^|\s){re.escape(folded)}(\s|$)", label)
            or re.search(rf"(^|\s){re.escape(label)}(\s|$)", folded)
            for label in _label(question, o, language)
        )
    ]
    return (partial[0],) if len(partial) == 1 else None


def parse(
    question: Question, text: str, language: str | None, intent: str | None = None
) -> tuple[str, ...] | None:
    folded = fold(text)[:200]
    picks = _by_numbers(question, folded) if folded else None
    if picks is None and folded:
        picks = _by_words(question, folded, language)
    if picks is None and intent in ("affirm", "deny"):
        wanted = "yes" if intent == "affirm" else "no"
        if any(o.id == wanted for o in question.options):
            picks = (wanted,)
    if not picks:
        return None
    if question.type == "single" and len(picks) != 1:
        return None
    exclusive = [p for p in picks if question.option(p).exclusive]
    if exclusive and len(picks) > 1:
        return None  # "none of the above" together with something else
    return picks
