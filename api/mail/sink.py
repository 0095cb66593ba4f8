"""The development SMTP sink: an aiosmtpd server that keeps every message in a mailbox
directory, one `.eml` file each, for the simulator's `/mail` page (and for tests).

Run: `python -m api.mail.sink --port 8025 --dir var/mail`. Only on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class MailboxHandler:
    """aiosmtpd handler: each message a file in `directory` (written whole, then renamed)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        name = f"{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        tmp = self.directory / f".{name}.tmp"
        tmp.write_bytes(envelope.original_content or envelope.content)
        tmp.rename(self.directory / f"{name}.eml")
        return "250 Message accepted for delivery"


def start(directory: Path, port: int, host: str = "127.0.0.1") -> Controller:
    controller = Controller(MailboxHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def read_mailbox(directory: Path) -> list[dict[str, Any]]:
    """Every message in the mailbox, newest first: from, to, subject, date, text."""
    messages: list[dict[str, Any]] = []
    if not directory.is_dir():
        return messages
    for path in sorted(directory.glob("*.eml"), reverse=True):
        parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain", "html"))
        messages.append(
            {
                "id": path.stem,
                "from": str(parsed.get("From", "")),
                "to": str(parsed.get("To", "")),
                "subject": str(parsed.get("Subject", "")),
                "date": str(parsed.get("Date", "")),
                "message_id": str(parsed.get("Message-ID", "")),
                "text": body.get_content() if body is not None else "",
            }
        )
    return messages


def main() -> None:
    parser = argparse.ArgumentParser(description="the development SMTP sink")
    parser.add_argument("--port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    args = parser.parse_args()
    controller = start(args.dir, args.port)
    print(f"SMTP sink on 127.0.0.1:{args.port}, mailbox {args.dir}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # the supervisor's stop: a clean exit
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
