"""What an import reads and what it finds wrong: flat records with their origin, and problems."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    where: str  # PATH:ROW or PATH:JSON-path
    reason: str
    severity: str = ERROR

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.reason}"


@dataclass
class Record:
    """One HSDS object, its nested objects taken out (their ids left as foreign keys)."""

    kind: str
    data: dict[str, Any]
    where: str
    ours: dict[str, Any] = field(default_factory=dict)  # the object's `x_firstcall`

    @property
    def id(self) -> str:
        return str(self.data.get("id"))


Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class Found:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    progress: Progress | None = None

    def tick(self, stage: str, done: int, total: int, every: int = 100) -> None:
        if self.progress is not None and (done % every == 0 or done == total):
            self.progress(stage, done, total)

    def error(self, where: str, reason: str) -> None:
        self.problems.append(Problem(where, reason, ERROR))

    def warn(self, where: str, reason: str) -> None:
        self.problems.append(Problem(where, reason, WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]
