"""The simulator's `/mail` page: the local SMTP sink's mailbox, newest first, links live."""

from __future__ import annotations

import html
import re
from pathlib import Path

from api.mail import sink

_URL = re.compile(r"https?://[^\s<>\"]+")


def _linked(text: str) -> str:
    out, last = [], 0
    for match in _URL.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        url = html.escape(match.group(0))
        out.append(f'<a href="{url}" target="_blank" rel="noopener">{url}</a>')
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def page(directory: Path) -> str:
    messages = sink.read_mailbox(directory)
    items = "".join(
        "<article><h2>{subject}</h2><p><small>To {to} · from {sender} · {date}</small></p>"
        "<pre>{text}</pre></article>".format(
            subject=html.escape(m["subject"]),
            to=html.escape(m["to"]),
            sender=html.escape(m["from"]),
            date=html.escape(m["date"]),
            text=_linked(m["text"]),
        )
        for m in messages
    )
    empty = "<p>No mail yet. Referrals to partners that take email appear here.</p>"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        "<title>Partner mailbox (local SMTP sink)</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto;"
        "padding:0 1rem}article{border:1px solid #ddd;border-radius:.5rem;padding:0 1rem;"
        "margin:1rem 0}pre{white-space:pre-wrap}</style></head><body>"
        f"<h1>Partner mailbox</h1><p>{len(messages)} message(s) received by the local SMTP "
        f"sink.</p>{items or empty}</body></html>"
    )
