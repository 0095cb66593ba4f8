"""NLU measurement per language, on the TEST set; the development set reported apart.

    python -m api.nlu_eval            # runs `rasa test nlu` once, prints both tables, checks floors
    python -m api.nlu_eval --dev-only [--errors]   # the development set alone (and its misses)

- TEST set, `data/nlu_eval/<lang>/`: held out, written for issue 12 before any change to the
  model, never trained or tuned on. Its figures are the only ones reported in docs/NLU.md and
  the only ones the floors check.
- DEVELOPMENT set, `data/nlu_test/<lang>/`: the old "held-out" set. Training data was added
  where its errors showed confusion, so it is tuned on: reported, labelled so, never a floor.

Crisis is counted twice: the NLU alone, and NLU + the safety net (a message is flagged when
NLU says crisis OR a pattern matches, as the turn does). Precision counts every non-crisis
message flagged as crisis; "false crises" are those messages.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from api.config import ROOT
from api.engine_model import model_path, rasa_bin
from api.i18n import nlu_data
from api.i18n.locales import SUPPORTED_LOCALES
from api.safety import net

TEST_DIR = ROOT / "data" / "nlu_eval"  # held out: the figures we report and the floors
DEV_DIR = ROOT / "data" / "nlu_test"  # development: tuned on, reported apart
TRAIN_DIR = ROOT / "data" / "nlu"
OUT = ROOT / "var" / "nlu-eval"


@dataclass(frozen=True)
class Floors:
    accuracy: float
    macro_f1: float
    crisis_recall_with_net: float
    crisis_precision_with_net: float


# The TEST-set figures of the model `make train` builds (docs/NLU.md, "Issue 12"; measured
# 2026-12-02, model firstcall-ebaa140de3dd6f5c: the issue-12 data and normalization, without
# the crisis gate, eight languages), each rounded down to 0.01, minus 0.02, and 1.00 where
# the measured figure is 1.000 (no margin: one miss or false crisis fails). They stop
# regressions; issue 12's target (0.90 everywhere, crisis recall 1.00 with the net, no false
# crisis) is not met by zh, vi, ar, ht, ko (accuracy), ar (crisis recall), es and ko (false
# crises). Measured: accuracy, macro-F1, crisis recall and precision with the net.
FLOORS: dict[str, Floors] = {
    "en": Floors(0.91, 0.91, 1.00, 1.00),  # 0.937 0.937 1.000 1.000
    "es": Floors(0.91, 0.92, 1.00, 0.78),  # 0.937 0.941 1.000 0.800
    "zh": Floors(0.87, 0.87, 1.00, 1.00),  # 0.897 0.896 1.000 1.000
    "vi": Floors(0.87, 0.87, 1.00, 1.00),  # 0.897 0.896 1.000 1.000
    "ar": Floors(0.79, 0.80, 0.73, 1.00),  # 0.816 0.824 0.750 1.000
    "ht": Floors(0.83, 0.83, 1.00, 1.00),  # 0.856 0.856 1.000 1.000
    "tl": Floors(0.90, 0.90, 1.00, 1.00),  # 0.925 0.926 1.000 1.000
    "ko": Floors(0.84, 0.84, 1.00, 0.78),  # 0.862 0.865 1.000 0.800
}
# A supported language without a row here (ht, tl, ko when added) is measured and reported,
# not checked, until its TEST-set figures are measured and its floor set.


@dataclass(frozen=True)
class LanguageScore:
    language: str
    examples: int
    accuracy: float
    macro_f1: float
    crisis_recall_nlu: float
    crisis_recall_with_net: float
    crisis_precision_nlu: float
    crisis_precision_with_net: float
    non_crisis: int
    false_crises_nlu: int
    false_crises_with_net: int


def examples(folder: Path, language: str) -> list[tuple[str, str]]:
    return nlu_data.examples(folder / language)


def _examples(language: str) -> list[tuple[str, str]]:
    """The development set's messages (bench/detection.py and tests/test_detect.py)."""
    return examples(DEV_DIR, language)


def _key(text: str) -> str:
    """Case, accents, Vietnamese marks, tashkeel and punctuation folded: copies compare equal."""
    return " ".join(re.sub(r"[^\w\s]", " ", net.normalize(text)).split())


def overlap(
    test_dir: Path = TEST_DIR,
    others: Sequence[Path] = (TRAIN_DIR, DEV_DIR),
    languages: Iterable[str] = SUPPORTED_LOCALES,
) -> list[tuple[str, str]]:
    """(language, message) of the test set that training or development data also holds."""
    seen: set[str] = set()
    for folder in others:
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            seen |= {_key(text) for text, _ in nlu_data.examples(sub)}
    return [
        (language, text)
        for language in languages
        for text, _ in examples(test_dir, language)
        if _key(text) in seen
    ]


def _stage(sets: dict[str, Path]) -> Path:
    """Both sets in one folder, so `rasa test nlu` loads the model once."""
    staged = OUT / "input"
    shutil.rmtree(staged, ignore_errors=True)
    for name, folder in sets.items():
        shutil.copytree(folder, staged / name)
    return staged


def run_rasa(model: Path, sets: dict[str, Path]) -> dict[str, str]:
    """text -> predicted intent, for every message of the given sets (their texts differ)."""
    OUT.mkdir(parents=True, exist_ok=True)
    for name in ("intent_successes.json", "intent_errors.json"):
        (OUT / name).unlink(missing_ok=True)
    subprocess.run(
        [
            str(rasa_bin()),
            "test",
            "nlu",
            "--model",
            str(model),
            "--nlu",
            str(_stage(sets)),
            "--out",
            str(OUT),
            "--successes",
            "--no-plot",
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    predicted: dict[str, str] = {}
    for name in ("intent_successes.json", "intent_errors.json"):
        path = OUT / name
        if path.exists():
            for row in json.loads(path.read_text(encoding="utf-8")):
                predicted[row["text"]] = (row.get("intent_prediction") or {}).get("name") or ""
    return predicted


def _macro_f1(pairs: list[tuple[str, str]], predicted: dict[str, str]) -> float:
    intents = {gold for _, gold in pairs}
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    for text, gold in pairs:
        guess = predicted.get(text, "")
        if guess == gold:
            tp[gold] += 1
        else:
            fn[gold] += 1
            fp[guess] += 1
    scores = []
    for intent in intents:
        precision = tp[intent] / (tp[intent] + fp[intent]) if tp[intent] + fp[intent] else 0.0
        recall = tp[intent] / (tp[intent] + fn[intent]) if tp[intent] + fn[intent] else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores) if scores else 0.0


def _ratio(part: int, whole: int) -> float:
    """part / whole; 1.0 when there is nothing to count (no crisis message, no flag)."""
    return part / whole if whole else 1.0


def score_language(
    language: str, pairs: list[tuple[str, str]], predicted: dict[str, str]
) -> LanguageScore:
    right = sum(predicted.get(text) == gold for text, gold in pairs)
    by_nlu = {text for text, _ in pairs if predicted.get(text) == "crisis"}
    by_net = by_nlu | {text for text, _ in pairs if net.detect(text) is not None}
    crisis = {text for text, gold in pairs if gold == "crisis"}
    others = {text for text, gold in pairs if gold != "crisis"}
    return LanguageScore(
        language=language,
        examples=len(pairs),
        accuracy=right / len(pairs) if pairs else 0.0,
        macro_f1=_macro_f1(pairs, predicted),
        crisis_recall_nlu=_ratio(len(crisis & by_nlu), len(crisis)),
        crisis_recall_with_net=_ratio(len(crisis & by_net), len(crisis)),
        crisis_precision_nlu=_ratio(len(crisis & by_nlu), len(by_nlu)),
        crisis_precision_with_net=_ratio(len(crisis & by_net), len(by_net)),
        non_crisis=len(others),
        false_crises_nlu=len(others & by_nlu),
        false_crises_with_net=len(others & by_net),
    )


def score(folder: Path, predicted: dict[str, str]) -> list[LanguageScore]:
    return [
        score_language(language, examples(folder, language), predicted)
        for language in SUPPORTED_LOCALES
    ]


def table(rows: list[LanguageScore]) -> str:
    lines = [
        "| language | messages | intent accuracy | macro-F1 | crisis recall (NLU) "
        "| crisis recall (NLU + net) | crisis precision (NLU) | crisis precision (NLU + net) "
        "| false crises (NLU) | false crises (NLU + net) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.language} | {r.examples} | {r.accuracy:.3f} | {r.macro_f1:.3f} | "
            f"{r.crisis_recall_nlu:.3f} | {r.crisis_recall_with_net:.3f} | "
            f"{r.crisis_precision_nlu:.3f} | {r.crisis_precision_with_net:.3f} | "
            f"{r.false_crises_nlu} of {r.non_crisis} | "
            f"{r.false_crises_with_net} of {r.non_crisis} |"
        )
    return "\n".join(lines)


def failures(rows: list[LanguageScore]) -> list[str]:
    """One line per figure of the TEST set below its language's floor."""
    found = []
    for r in rows:
        floor = FLOORS.get(r.language)
        if floor is None:  # a new language: reported until the integrator sets its floor
            continue
        for name in ("accuracy", "macro_f1", "crisis_recall_with_net", "crisis_precision_with_net"):
            value, minimum = getattr(r, name), getattr(floor, name)
            if value < minimum:
                found.append(f"{r.language}: {name} {value:.3f} < floor {minimum:.2f}")
    return found


def development(model: Path, show_errors: bool) -> int:
    """The DEVELOPMENT set alone, to iterate on without touching the test set."""
    predicted = run_rasa(model, {"development": DEV_DIR})
    print("DEVELOPMENT set, data/nlu_test (tuned on: not held out; no floors):")
    print(table(score(DEV_DIR, predicted)))
    if show_errors:
        for language in SUPPORTED_LOCALES:
            for text, gold in examples(DEV_DIR, language):
                if predicted.get(text) != gold:
                    print(f"{language}\t{gold}\t{predicted.get(text)}\t{text}")
    return 0


def main(argv: Sequence[str] = ()) -> int:
    model = model_path()
    if not model.exists():
        print(f"no trained model at {model}: run `make train`", file=sys.stderr)
        return 2
    if "--dev-only" in argv:
        return development(model, show_errors="--errors" in argv)
    predicted = run_rasa(model, {"test": TEST_DIR, "development": DEV_DIR})
    test_rows = score(TEST_DIR, predicted)
    print("TEST set, data/nlu_eval (held out; the figures we report, and the floors):")
    print(table(test_rows))
    print()
    print("DEVELOPMENT set, data/nlu_test (tuned on: not held out; no floors):")
    print(table(score(DEV_DIR, predicted)))
    failed = failures(test_rows)
    unfloored = [r.language for r in test_rows if r.language not in FLOORS]
    if unfloored:
        print(f"no floor yet (reported, not checked): {', '.join(unfloored)}")
    for failure in failed:
        print("FAIL", failure)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
