"""Composite screening messages for Rasa's NLG endpoint: a question with its options and
progress, and the end-of-screening summary (never naming sensitive domains: those marked
`sensitive: true` in the instrument files)."""

from __future__ import annotations

from typing import Any

from api.i18n.catalog import Rendered, render
from api.i18n.locales import SUPPORTED_LOCALES, join_list, normalize_tag
from api.screening import prompts
from api.screening.instrument import sensitive_domains


def summary(arguments: dict[str, Any], language: str | None) -> Rendered:
    domains = [d for d in str(arguments.get("domains") or "").split(",") if d]
    sensitive = sensitive_domains()
    shown = [d for d in domains if d not in sensitive]
    private = any(d in sensitive for d in domains)
    if not domains:
        return render("utter_screening_summary_none", language)
    parts = []
    if shown:
        names = [render(f"domain.{d}", language).text for d in shown]
        listed = join_list(names, language)
        parts.append(render("utter_screening_summary", language, {"domains": listed}).text)
    if private:
        parts.append(render("utter_screening_summary_private", language).text)
    separator = SUPPORTED_LOCALES[normalize_tag(language) or "en"].sentence_separator
    return Rendered(text=separator.join(parts), language=language or "en")


COMPOSITE = {
    "utter_screening_question": prompts.from_arguments,
    "utter_screening_summary": summary,
}
