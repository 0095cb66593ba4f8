"""Language detection for a participant's first message (lingua, bundled models, offline).

`detect()` answers (tag, sure). Not sure (short, ambiguous, or a language we don't support)
means: show the language menu rather than guess. Measured in bench/ and tests/test_detect.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml
from lingua import Language, LanguageDetector, LanguageDetectorBuilder

from api.config import ROOT
from api.i18n import arabizi, nlu_data
from api.i18n.folding import fold
from api.i18n.locales import SUPPORTED_LOCALES

MIN_CONFIDENCE = 0.5  # lingua's confidence among our languages
UNSUPPORTED_CONFIDENCE = 0.8  # lingua's confidence that it is another language entirely
_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_ARABIC = re.compile(r"[\u0600-\u06ff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_VI_MARKS = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
# Texting without diacritics: common Vietnamese words (Arabizi cues are in arabizi.py).
_VI_WORDS = {
    "toi",
    "can",
    "giup",
    "khong",
    "ko",
    "k",
    "duoc",
    "dc",
    "minh",
    "ban",
    "chao",
    "xin",
    "viec",
    "nha",
    "tien",
    "lam",
    "cam",
    "on",
    "gi",
    "nhe",
    "oi",
    "j",
    "bn",
}
_VI_STRONG = {"toi", "giup", "khong", "duoc", "minh", "chao", "viec", "cam on", "xin"}
_LETTERS = re.compile(r"[^\W\d_]+")  # runs of letters, in any script


@dataclass(frozen=True)
class Detected:
    tag: str | None
    confidence: float
    sure: bool


@dataclass(frozen=True)
class WordList:
    """data/detect/<tag>.yml: cue words for a language lingua has no model of."""

    tag: str
    words: frozenset[str]
    strong: frozenset[str]
    min_hits: int

    def matches(self, folded: str) -> bool:
        padded = f" {folded} "
        hits = [w for w in self.words if f" {w} " in padded]
        strong = any(w in self.strong for w in hits)
        return strong and (len(hits) >= self.min_hits or len(folded.split()) == 1)


@lru_cache
def _specs() -> dict[str, dict[str, Any]]:
    """data/detect/<tag>.yml, for the languages that have one."""
    found = {}
    for tag in SUPPORTED_LOCALES:
        path = ROOT / "data" / "detect" / f"{tag}.yml"
        if path.exists():
            found[tag] = yaml.safe_load(path.read_text("utf-8"))
    return found


@lru_cache
def _word_lists() -> tuple[WordList, ...]:
    lists = []
    for tag, spec in _specs().items():
        if "words" in spec:
            lists.append(
                WordList(
                    tag,
                    frozenset(fold(str(w)) for w in spec["words"]),
                    frozenset(fold(str(w)) for w in spec["strong"]),
                    int(spec.get("min_hits", 2)),
                )
            )
    return tuple(lists)


def _by_word_list(folded: str) -> str | None:
    """The one language lingua doesn't know whose word list the text matches (confirm-only
    lists, for languages lingua knows, are not asked here)."""
    found = [
        wl.tag
        for wl in _word_lists()
        if not SUPPORTED_LOCALES[wl.tag].lingua and wl.matches(folded)
    ]
    return found[0] if len(found) == 1 else None


@lru_cache
def _ours() -> LanguageDetector:
    languages = [getattr(Language, loc.lingua) for loc in SUPPORTED_LOCALES.values() if loc.lingua]
    return (
        LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()
    )


@lru_cache
def _everyone() -> LanguageDetector:
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def _tag(language: Language) -> str | None:
    return next(
        (loc.tag for loc in SUPPORTED_LOCALES.values() if loc.lingua == language.name), None
    )


@lru_cache
def _lexicon() -> dict[str, frozenset[str]]:
    """Every NLU training example (folded) -> the languages it is written in. A language's
    data/detect file may keep out examples without its script (`only_with`) and those also
    in another language's data (`yields_to`: code-switched English is English)."""
    found: dict[str, set[str]] = {}
    specs = _specs()
    for tag in SUPPORTED_LOCALES:
        only = specs.get(tag, {}).get("only_with")
        for text, _intent in nlu_data.examples(ROOT / "data" / "nlu" / tag):
            if only is None or re.search(only, text):
                found.setdefault(fold(text), set()).add(tag)
    for tags in found.values():
        yielded = {t for t in tags if specs.get(t, {}).get("yields_to") in tags}
        tags -= yielded
    return {text: frozenset(tags) for text, tags in found.items()}


NB_MARGIN = 4.0  # nats between the best and second language: about 55 to 1


def _features(folded: str) -> list[str]:
    padded = f" {folded} "
    return folded.split() + ["#" + padded[i : i + 3] for i in range(len(padded) - 2)]


@lru_cache
def _naive_bayes() -> tuple[dict[str, dict[str, int]], dict[str, int], int]:
    """Word and character-trigram counts per language, from our texting-style NLU data."""
    counts: dict[str, dict[str, int]] = {tag: {} for tag in SUPPORTED_LOCALES}
    for text, tags in _lexicon().items():
        for tag in tags:
            for feature in _features(text):
                counts[tag][feature] = counts[tag].get(feature, 0) + 1
    totals = {tag: sum(c.values()) for tag, c in counts.items()}
    vocabulary = len({f for c in counts.values() for f in c})
    return counts, totals, vocabulary


def _by_naive_bayes(folded: str, text: str | None = None) -> tuple[str, float] | None:
    """The likeliest language and its margin over the next; with `text`, among the languages
    it can be confirmed in (`_confirmed`)."""
    import math

    counts, totals, vocabulary = _naive_bayes()
    if text is not None:
        counts = {tag: c for tag, c in counts.items() if _confirmed(tag, text)}
    # A feature no language has seen says nothing about the language; smoothed, it would
    # favour the language with the least data, more with every repetition ("xxxxx...").
    features = [f for f in _features(folded) if any(f in c for c in counts.values())]
    if not features:
        return None
    scores = sorted(
        (
            sum(
                math.log((counts[tag].get(f, 0) + 1) / (totals[tag] + vocabulary)) for f in features
            ),
            tag,
        )
        for tag in counts
    )
    (second, _), (best, tag) = scores[-2], scores[-1]
    return tag, best - second


def _confirmed(tag: str, text: str) -> bool:
    """A language whose data/detect file says `confirm: true` (Taglish and Kreyòl data hold
    much English and texting shorthand) is picked only when its word list agrees, or, without
    a list, lingua does."""
    if not _specs().get(tag, {}).get("confirm"):
        return True
    listed = next((wl for wl in _word_lists() if wl.tag == tag), None)
    if listed is not None:
        return listed.matches(fold(text))
    values = _ours().compute_language_confidence_values(text)
    return bool(values) and values[0].language.name == SUPPORTED_LOCALES[tag].lingua


def _vietnamese_without_marks(words: list[str]) -> bool:
    hits = [w for w in words if w in _VI_WORDS]
    return len(hits) >= 2 and any(w in _VI_STRONG for w in hits)


def _has_words(text: str, known: frozenset[str]) -> bool:
    """A word has at least two different letters ("ok", "hmm", not "xxxxx" or "x x x"),
    or it is a whole message people text in one of our languages ("k", "y")."""
    return bool(known) or any(len(set(run.casefold())) >= 2 for run in _LETTERS.findall(text))


def _arabizi(text: str) -> bool:
    """Arabic in Latin letters, unless the rest of the message is clearly another language:
    a digit inside a word (a7jez) takes a clear margin to outvote, a leading one (3ayez, but
    also "2morrow") only the usual one."""
    strong, weak = arabizi.cues(text)
    if not strong and not weak:
        return False
    by_data = _by_naive_bayes(fold(text), text)
    if by_data is None or by_data[0] == "ar":
        return True
    return by_data[1] < (NB_MARGIN * 2 if strong else NB_MARGIN)


def detect(text: str) -> Detected:
    text = text.strip()
    if not any(ch.isalpha() for ch in text):
        return Detected(None, 0.0, False)
    if _HAN.search(text):
        return Detected("zh", 1.0, True)
    if _ARABIC.search(text):
        return Detected("ar", 1.0, True)
    if _HANGUL.search(text):
        return Detected("ko", 1.0, True)
    if _VI_MARKS.search(text):
        return Detected("vi", 0.95, True)
    known = _lexicon().get(fold(text), frozenset())
    if not _has_words(text, known):  # a paste of "xxxx", letters without words
        return Detected(None, 0.0, False)
    known = frozenset(tag for tag in known if _confirmed(tag, text))
    if len(known) == 1:  # the way people text it, in exactly one language's training data
        return Detected(next(iter(known)), 0.9, True)
    words = re.findall(r"[a-z0-9]+", text.lower())
    if (listed := _by_word_list(fold(text))) is not None:  # languages lingua doesn't know
        return Detected(listed, 0.8, True)
    if _arabizi(text):
        return Detected("ar", 0.8, True)
    if _vietnamese_without_marks(words):
        return Detected("vi", 0.8, True)
    anyone = _everyone().compute_language_confidence_values(text)
    if anyone and _tag(anyone[0].language) is None and anyone[0].value >= UNSUPPORTED_CONFIDENCE:
        return Detected(None, float(anyone[0].value), False)  # clearly a language we don't speak
    by_data = _by_naive_bayes(fold(text), text)
    if by_data is not None and by_data[1] >= NB_MARGIN:
        return Detected(by_data[0], 0.85, True)
    values = [
        v
        for v in _ours().compute_language_confidence_values(text)
        if _confirmed(_tag(v.language) or "", text)
    ]
    if not values:
        return Detected(None, 0.0, False)
    best = values[0]
    # among the languages left: a Tagalog share lingua gave unconfirmed goes to no one
    confidence = float(best.value) / (sum(float(v.value) for v in values) or 1.0)
    return Detected(_tag(best.language), confidence, confidence >= MIN_CONFIDENCE)
