"""Per-message costs on the hot path: rendering, the safety net, detection, segments."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from api.channels.menus import numbered
from api.i18n import detect, sms
from api.i18n.catalog import render
from api.i18n.locales import SUPPORTED_LOCALES
from api.safety import net

MESSAGES = [
    "hola necesito ayuda con la renta",
    "i need help finding a job asap",
    "toi can giup do tien nha",
    "我需要找工作",
    "ana ma3andi flous lel egar",
    "quiero hacerme daño",
]


def timed(label: str, fn: Callable[[], object], repeat: int = 2000) -> None:
    fn()  # warm caches
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        samples.append((time.perf_counter() - start) / repeat)
    median = statistics.median(samples)
    print(f"{label:<44} {median * 1e6:9.1f} µs/op  ({1 / median:,.0f} op/s)")


def main() -> None:
    print("firstcall hot paths (median of 5 runs)")
    languages = list(SUPPORTED_LOCALES)

    def render_all() -> None:
        for tag in languages:
            rendered = render("utter_greet", tag, {"program": "Workforce Connect"})
            sms.clean_for_sms(numbered(rendered.text, rendered.buttons, tag))

    timed("render + SMS menu, 5 languages", render_all, 500)
    timed("safety net, 6 messages", lambda: [net.detect(m) for m in MESSAGES], 500)
    timed("segment count, 6 messages", lambda: [sms.segments(m) for m in MESSAGES], 2000)
    timed("language detection, 6 messages", lambda: [detect.detect(m) for m in MESSAGES], 50)
    detection_on_short_texts()


if __name__ == "__main__":
    main()


def detection_on_short_texts() -> None:
    """Language detection on the held-out NLU examples: short texting-style messages."""
    from api.nlu_eval import _examples

    print("\nlanguage detection on held-out texting-style messages")
    print(f"{'lang':<6}{'messages':>9}{'right':>8}{'wrong':>8}{'menu':>8}")
    for tag in SUPPORTED_LOCALES:
        pairs = _examples(tag)
        right = wrong = menu = 0
        for text, _ in pairs:
            found = detect.detect(text)
            if not found.sure:
                menu += 1
            elif found.tag == tag:
                right += 1
            else:
                wrong += 1
        n = len(pairs)
        print(f"{tag:<6}{n:>9}{right / n:>8.1%}{wrong / n:>8.1%}{menu / n:>8.1%}")
