"""The NLU measurement (issue 12): the held-out TEST set, its scoring and its floors.

The model itself is measured by `make nlu-eval` (it needs the trained model and the Rasa
environment); these tests check the set and the arithmetic on real messages and the real
safety net, without the model.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml

from api import nlu_eval
from api.config import ROOT
from api.i18n.locales import SUPPORTED_LOCALES
from api.safety import net

CONTRACT = ROOT.parent / "shared" / "contract" / "intents.yml"


def _intents(pairs: list[tuple[str, str]]) -> set[str]:
    """The contract's intents (beside the repository); without it, the set's own."""
    if CONTRACT.exists():
        return set(yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["intents"])
    return {intent for _, intent in pairs}


def test_nlu_eval_reports_and_floors_use_the_test_set_not_the_development_set() -> None:
    assert nlu_eval.TEST_DIR == ROOT / "data" / "nlu_eval"
    assert nlu_eval.DEV_DIR == ROOT / "data" / "nlu_test"
    assert set(nlu_eval.FLOORS) == set(SUPPORTED_LOCALES)


def test_a_language_without_a_floor_yet_is_reported_not_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    row = nlu_eval.LanguageScore("vi", 10, 0.1, 0.1, 0.0, 0.0, 0.0, 0.0, 8, 3, 3)
    assert len(nlu_eval.failures([row])) == 4  # with its floor: every figure below it
    monkeypatch.delitem(nlu_eval.FLOORS, "vi")
    assert nlu_eval.failures([row]) == []
    assert "| vi | 10 | 0.100 |" in nlu_eval.table([row])


@pytest.mark.parametrize("language", SUPPORTED_LOCALES)
def test_nlu_eval_test_set_has_150_messages_and_4_per_intent(language: str) -> None:
    pairs = nlu_eval.examples(nlu_eval.TEST_DIR, language)
    counts = Counter(intent for _, intent in pairs)
    assert len(pairs) >= 150
    assert {i: counts[i] for i in _intents(pairs) if counts[i] < 4} == {}
    assert len({text for text, _ in pairs}) == len(pairs), "a message is listed twice"


def test_nlu_eval_test_set_shares_no_message_with_training_or_development() -> None:
    # Exact and folded (case, accents, Vietnamese marks, tashkeel, punctuation) matches.
    assert nlu_eval.overlap() == []


def test_nlu_eval_overlap_finds_accent_folded_copies(tmp_path: Path) -> None:
    (tmp_path / "vi").mkdir()
    (tmp_path / "vi" / "t.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: need_food\n  examples: |\n'
        "    - Trong nhà không còn gì để ăn!\n    - mot cau moi hoan toan\n",
        encoding="utf-8",
    )
    other = tmp_path / "other"
    (other / "vi").mkdir(parents=True)
    (other / "vi" / "t.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: need_food\n  examples: |\n'
        "    - trong nha khong con gi de an\n",
        encoding="utf-8",
    )
    found = nlu_eval.overlap(test_dir=tmp_path, others=(other,), languages=("vi",))
    assert found == [("vi", "Trong nhà không còn gì để ăn!")]


def test_crisis_precision_counts_non_crisis_flagged_by_nlu_or_net() -> None:
    medicine = "I'm running out of my diabetes medicine"
    threat = "i want to kill myself"  # the net matches it, whatever its label here
    assert net.detect(threat) is not None and net.detect(medicine) is None
    pairs = [
        ("i want to end it all tonight", "crisis"),
        ("he has a knife and is at my door", "crisis"),
        (medicine, "need_health_care"),
        (threat, "need_safety"),  # labelled non-crisis on purpose: a false crisis for the net
        ("hello", "greet"),
    ]
    predicted = {
        "i want to end it all tonight": "crisis",
        "he has a knife and is at my door": "need_safety",  # an NLU miss
        medicine: "crisis",  # an NLU false crisis
        threat: "need_safety",
        "hello": "greet",
    }
    row = nlu_eval.score_language("en", pairs, predicted)
    assert row.non_crisis == 3
    assert row.crisis_recall_nlu == 0.5
    assert row.crisis_precision_nlu == 0.5  # 1 right of 2 NLU crisis predictions
    assert row.false_crises_nlu == 1
    with_net_hits = 1 + (net.detect("he has a knife and is at my door") is not None)
    assert row.crisis_recall_with_net == with_net_hits / 2
    # with the net: the medicine message (NLU) and the mislabelled threat (net) are false
    assert row.false_crises_with_net == 2
    assert row.crisis_precision_with_net == with_net_hits / (with_net_hits + 2)
    assert row.accuracy == 3 / 5


def test_nlu_eval_floors_fail_a_language_below_them() -> None:
    floors = nlu_eval.FLOORS["vi"]
    row = nlu_eval.LanguageScore(
        language="vi",
        examples=10,
        accuracy=floors.accuracy,
        macro_f1=floors.macro_f1,
        crisis_recall_nlu=0.0,
        crisis_recall_with_net=floors.crisis_recall_with_net,
        crisis_precision_nlu=0.0,
        crisis_precision_with_net=floors.crisis_precision_with_net,
        non_crisis=8,
        false_crises_nlu=0,
        false_crises_with_net=0,
    )
    assert nlu_eval.failures([row]) == []
    worse = row.__class__(**{**row.__dict__, "accuracy": floors.accuracy - 0.01})
    assert [f.split(":")[0] for f in nlu_eval.failures([worse])] == ["vi"]
    missed = row.__class__(
        **{**row.__dict__, "crisis_recall_with_net": floors.crisis_recall_with_net - 0.1}
    )
    assert len(nlu_eval.failures([missed])) == 1
