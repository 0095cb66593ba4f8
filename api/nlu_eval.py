"""NLU evaluation on the held-out sets (data/nlu_test/<lang>/), per language.

    python -m api.nlu_eval            # runs `rasa test nlu` once, prints the table, checks floors

Floors fail `make test` when a language falls below them. Crisis recall is counted with
the safety net: a crisis message is caught when NLU says crisis OR a pattern matches.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from api.config import ROOT
from api.engine_model import model_path, rasa_bin
from api.i18n import nlu_data
from api.i18n.locales import SUPPORTED_LOCALES
from api.safety import net

TEST_DIR = ROOT / "data" / "nlu_test"
OUT = ROOT / "var" / "nlu-eval"
ACCURACY_FLOOR = 0.90  # the target (docs/NLU.md): every language, on messages never seen
CRISIS_RECALL_FLOOR = 1.0  # with the safety net: no crisis message may be missed


@dataclass(frozen=True)
class LanguageScore:
    language: str
    examples: int
    accuracy: float
    macro_f1: float
    crisis_recall_nlu: float
    crisis_recall_with_net: float


def _examples(language: str) -> list[tuple[str, str]]:
    return nlu_data.examples(TEST_DIR / language)


def run_rasa(model: Path) -> dict[str, str]:
    """text -> predicted intent, for every held-out example of every language."""
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(rasa_bin()),
            "test",
            "nlu",
            "--model",
            str(model),
            "--nlu",
            str(TEST_DIR),
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


def score(predicted: dict[str, str]) -> list[LanguageScore]:
    rows = []
    for language in SUPPORTED_LOCALES:
        pairs = _examples(language)
        right = sum(predicted.get(text) == gold for text, gold in pairs)
        crisis = [text for text, gold in pairs if gold == "crisis"]
        nlu_hits = sum(predicted.get(t) == "crisis" for t in crisis)
        net_hits = sum(predicted.get(t) == "crisis" or net.detect(t) is not None for t in crisis)
        rows.append(
            LanguageScore(
                language,
                len(pairs),
                right / len(pairs) if pairs else 0.0,
                _macro_f1(pairs, predicted),
                nlu_hits / len(crisis) if crisis else 1.0,
                net_hits / len(crisis) if crisis else 1.0,
            )
        )
    return rows


def table(rows: list[LanguageScore]) -> str:
    lines = [
        "| language | held-out examples | intent accuracy | macro-F1 | crisis recall (NLU) "
        "| crisis recall (NLU + safety net) |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.language} | {r.examples} | {r.accuracy:.3f} | {r.macro_f1:.3f} | "
            f"{r.crisis_recall_nlu:.3f} | {r.crisis_recall_with_net:.3f} |"
        )
    return "\n".join(lines)


def main() -> int:
    model = model_path()
    if not model.exists():
        print(f"no trained model at {model}: run `make train`", file=sys.stderr)
        return 2
    rows = score(run_rasa(model))
    print(table(rows))
    failures = [
        f"{r.language}: accuracy {r.accuracy:.3f} < floor {ACCURACY_FLOOR}"
        for r in rows
        if r.accuracy < ACCURACY_FLOOR
    ]
    failures += [
        f"{r.language}: crisis recall with the safety net {r.crisis_recall_with_net:.3f}"
        for r in rows
        if r.crisis_recall_with_net < CRISIS_RECALL_FLOOR
    ]
    for failure in failures:
        print("FAIL", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
