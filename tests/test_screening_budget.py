"""A whole screening by SMS costs at most the allowed ratio to English, in every language
(issue 12); the ratio is data (api/i18n/budgets.yml) and the check really fails."""

from __future__ import annotations

import pytest

from api.i18n import budget, catalog
from api.i18n.locales import SUPPORTED_LOCALES
from api.i18n.texts import Template


def test_the_ratio_is_read_from_the_rules_file() -> None:
    assert budget.max_screening_ratio() == 1.5
    assert "screening_max_ratio_to_english: 1.5" in budget.RULES.read_text(encoding="utf-8")


def test_every_language_screens_within_the_ratio_to_english() -> None:
    rows = {r.language: r for r in budget.screenings()}
    assert set(rows) == set(SUPPORTED_LOCALES)
    english = rows["en"].segments
    for tag, row in rows.items():
        assert row.segments <= budget.max_screening_ratio() * english, (tag, row.segments)
    assert budget.over_ratio() == []


def test_vietnamese_and_arabic_are_ucs2_with_full_marks_and_still_within_the_ratio() -> None:
    rows = {r.language: r for r in budget.screenings()}
    for tag in ("vi", "ar"):
        assert rows[tag].encodings == "UCS-2"  # measured as written: diacritics kept
        assert rows[tag].segments <= 1.5 * rows["en"].segments


def test_a_long_translation_puts_the_language_over_the_ratio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    original = catalog._translated

    def wordy(tag: str, template: Template, count: int | None) -> str | None:
        text = original(tag, template, count)
        if tag == "vi" and template.key.startswith("screening.") and text:
            return text + " " + "Xin vui lòng đọc kỹ câu hỏi này trước khi trả lời nhé."
        return text

    monkeypatch.setattr(catalog, "_translated", wordy)
    over = budget.over_ratio()
    assert [row.language for row, _ in over] == ["vi"]
    assert over[0][1] > 1.5
    assert budget.main() == 1  # the command (and `make test`) fails with it


def test_the_ratio_check_follows_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "max_screening_ratio", lambda: 1.2)
    assert {row.language for row, _ in budget.over_ratio()} >= {"vi", "ar"}
    report = budget.screening_report()
    assert "x English" in report and "1.2x English" in report
