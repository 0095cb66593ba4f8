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
from bench import detection

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
    detection.main()


if __name__ == "__main__":
    main()
