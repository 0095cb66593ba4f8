"""Reading Rasa NLU files (data/nlu/, data/nlu_test/) as (text, intent) pairs."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")


def plain(example: str) -> str:
    """An annotated example, `[espanol]{"entity": ...}`, as the participant typed it."""
    return _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), example)


def examples(folder: Path) -> list[tuple[str, str]]:
    pairs = []
    for path in sorted(folder.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block["examples"]).splitlines():
                text = plain(line.strip().removeprefix("- ").strip())
                if text:
                    pairs.append((text, str(block["intent"])))
    return pairs
