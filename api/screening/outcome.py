"""What a screening step says back: responses for Rasa to render through /nlg."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Say:
    """A response for Rasa to render through /nlg, with its arguments."""

    response: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    say: list[Say]
    done: bool = False  # the form ends: completed, or consent refused

    def to_json(self) -> dict[str, Any]:
        return {
            "say": [{"response": s.response, "args": s.args} for s in self.say],
            "done": self.done,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        says = [Say(str(s["response"]), dict(s.get("args") or {})) for s in data.get("say", [])]
        return cls(says, bool(data.get("done", False)))
