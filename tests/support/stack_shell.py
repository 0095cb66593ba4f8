"""One process with an e2e stack's settings for a test that steps the clock: the worker's
own command at chosen times, and bookings made as the booking conversation's action makes
them, without a process start-up (seconds on a loaded host) per step.

    python -m tests.support.stack_shell      (settings from the environment, as the stack's)

Reads one command a line on stdin; prints what it did, then a line `.ok` or `.error`:

    worker ISO                   `firstcall worker --once --now ISO`: the CLI's command itself
    book PHONE LANGUAGE ZIP NAME  the participant (an SMS conversation, the partner consent)
                                 books the latest food time open; prints the appointment id
"""

from __future__ import annotations

import subprocess
import sys
import traceback
from pathlib import Path

from api import cli
from api.booking import service
from api.conversations import service as conversations
from api.db import session_scope, utcnow
from api.staff import service as staff
from tests.support.booking import participant

DONE, FAILED = ".ok", ".error"


class Shell:
    """The test's end: start the process with the stack's settings, ask, close."""

    def __init__(self, env: dict[str, str], cwd: Path, log: Path) -> None:
        self._log = log.open("w")
        command = [sys.executable, "-m", "tests.support.stack_shell"]
        self._process = subprocess.Popen(command, env=env, cwd=cwd, text=True, bufsize=1,
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=self._log)  # fmt: skip

    def ask(self, line: str) -> str:
        """What the command printed; AssertionError with it when the command failed."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()
        printed: list[str] = []
        for out in self._process.stdout:
            if out.rstrip("\n") in (DONE, FAILED):
                assert out.startswith(DONE), f"{line}:\n" + "".join(printed)
                return "".join(printed)
            printed.append(out)
        raise AssertionError(f"{line}: the shell exited ({self._process.wait()}):\n"
                             + "".join(printed))  # fmt: skip

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()


def book(phone: str, language: str, zip_code: str, name: str) -> str:
    with session_scope() as db:
        org_id = staff.default_org_id(db_session=db)
        assert org_id is not None, "the program's organization is missing"
        person = participant(db, phone, org_id=org_id, language=language)
        conversations.set_language(person, language)
        conversations.current_conversation(person, "sms", db_session=db)
        # all the times open, not only a menu's three: with other tests' partners about,
        # the first three can all be tomorrow, when the day-before reminder may be past
        found = service.offers(person, "food", zip_code, utcnow(), db_session=db, limit=100)
        assert found, "no food time offered"
        latest = max(found, key=lambda o: o.start)  # its reminders are all ahead
        booked = service.book(person, latest, db_session=db, zip_code=zip_code,
                              contact=service.Contact(name=name))  # fmt: skip
        return booked.appointment.id


def run(line: str) -> None:
    command, *args = line.split()
    if command == "worker":
        [at] = args
        cli.worker(once=True, now=at)
    elif command == "book":
        print(book(*args))
    else:
        raise ValueError(f"unknown command {command!r}")


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            run(line)
        except Exception:  # the test reads the traceback; the process goes on
            print(traceback.format_exc())
            print(FAILED, flush=True)
        else:
            print(DONE, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
