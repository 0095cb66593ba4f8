"""The partner's side of an end-to-end test: the referral email in the real SMTP sink's
mailbox, and an "accept" through the signed link in it (GET the page, POST the nonce)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from api.mail import sink
from tests.support.servers import wait_for

LINK = re.compile(r"(https?://[^\s/]+/partner/r/[A-Za-z0-9_.\-]+)")
ACCEPT_NONCE = re.compile(
    r'action="/partner/r/[^"]+/accept">\s*<input type="hidden" name="nonce" value="([^"]+)"'
)


def wait_for_mail(mailbox: Path, containing: str, timeout: float = 60) -> dict[str, Any]:
    """The one email in `mailbox` whose text contains `containing` (e.g. the shared phone)."""

    def arrived() -> list[dict[str, Any]] | None:
        mails = [m for m in sink.read_mailbox(mailbox) if containing in m["text"]]
        return mails or None

    try:
        mails = wait_for(arrived, timeout, "the referral email", interval=0.3)
    except TimeoutError:
        raise AssertionError(f"no email with {containing!r} in {mailbox}") from None
    assert len(mails) == 1, [m["subject"] for m in mails]
    return mails[0]  # type: ignore[no-any-return]


def link_in(mail: dict[str, Any]) -> str:
    match = LINK.search(mail["text"])
    assert match, mail["text"]
    return match.group(1)


def accept(link: str, partner_name: str) -> None:
    """What the partner does: open the page the link shows and press "accept" on it."""
    page = httpx.get(link, timeout=10)
    assert page.status_code == 200 and partner_name in page.text, page.text[:500]
    nonce = ACCEPT_NONCE.search(page.text)
    assert nonce, page.text
    accepted = httpx.post(f"{link}/accept", data={"nonce": nonce.group(1)}, timeout=10)
    assert accepted.status_code == 303, accepted.text[:500]
