"""Language detection measured on held-out messages: right, wrong and language menu.

Two sets: the held-out NLU examples (`data/nlu_test/`, short texting-style messages in every
language) and texting with digits inside words (`data/detect_eval/`: "2nd shift", "5pm",
"5h chiều", which the Arabizi cue must not claim). `tests/test_detect.py` uses the same
scoring for its floors.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from api.config import ROOT
from api.i18n import detect
from api.i18n.locales import SUPPORTED_LOCALES

DIGITS_SET = ROOT / "data" / "detect_eval"


@dataclass
class Score:
    language: str
    messages: int = 0
    right: int = 0
    wrong: int = 0
    menu: int = 0
    detected_as: Counter[str] = field(default_factory=Counter)

    def row(self) -> str:
        n = self.messages or 1
        arabic = self.detected_as["ar"] if self.language != "ar" else 0
        return (
            f"{self.language:<6}{self.messages:>9}{self.right / n:>8.1%}{self.wrong / n:>8.1%}"
            f"{self.menu / n:>8.1%}{arabic:>10}"
        )


def score(language: str, texts: list[str]) -> Score:
    result = Score(language)
    for text in texts:
        found = detect.detect(text)
        result.messages += 1
        if not found.sure:
            result.menu += 1
            continue
        result.detected_as[found.tag or "?"] += 1
        if found.tag == language:
            result.right += 1
        else:
            result.wrong += 1
    return result


def digits_messages(language: str) -> list[str]:
    path: Path = DIGITS_SET / f"{language}.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def digits_languages() -> list[str]:
    return sorted(p.stem for p in DIGITS_SET.glob("*.txt"))


def _table(title: str, scores: list[Score]) -> None:
    print(f"\n{title}")
    print(f"{'lang':<6}{'messages':>9}{'right':>8}{'wrong':>8}{'menu':>8}{'as Arabic':>10}")
    for row in scores:
        print(row.row())


def main() -> None:
    from api.nlu_eval import _examples

    held_out = [  # the languages with a development set (ht, tl, ko have none yet)
        score(tag, texts)
        for tag in SUPPORTED_LOCALES
        if (texts := [text for text, _ in _examples(tag)])
    ]
    _table("language detection on held-out texting-style messages (data/nlu_test)", held_out)
    digits = [score(tag, digits_messages(tag)) for tag in digits_languages()]
    _table("language detection on texting with digits inside words (data/detect_eval)", digits)


if __name__ == "__main__":
    main()
