"""One interface for every channel: channel-neutral messages in, the transport's form out.

The turn and the services speak only `Message` (text, options, attachments). Each channel
renders it for its transport and delivers it: SMS owns numbered menus, SMS cleanup and
segment budgets (api/channels/sms_channel.py); web chat owns buttons and cards
(api/channels/web_channel.py). A new channel (WhatsApp through Twilio, say) is one module
implementing `Channel`, and one line in api/channels/registry.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Option:
    """A choice offered with a message: a button on the web, a numbered line on SMS."""

    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Attachment:
    """Something sent beside the text: a card, a calendar file, a link."""

    kind: str  # "card" | "calendar" | "link"
    title: str
    url: str | None = None
    data: dict[str, Any] | None = None


@dataclass(frozen=True)
class Message:
    """What the turn or a service wants to say, whatever the channel."""

    text: str
    options: tuple[Option, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    @classmethod
    def of(
        cls, text: str, buttons: list[dict[str, Any]] | None = None, *attachments: Attachment
    ) -> Message:
        """From a rendered template or an engine reply (buttons as title/payload dicts)."""
        options = tuple(
            Option(str(b.get("title", "")), str(b.get("payload", ""))) for b in buttons or []
        )
        return cls(text, options, tuple(attachments))


@dataclass(frozen=True)
class Outgoing:
    """A message in its transport's form, ready for the outbox."""

    body: str
    buttons: list[dict[str, str]] | None = None  # kept so a reply can pick an option later


class Channel(Protocol):
    name: str
    pushes: bool  # True: the worker delivers it; False: the client pulls it (web chat)

    def render(self, message: Message, language: str | None) -> Outgoing:
        """The message in this transport's form (menus, cards)."""
        ...

    def clean(self, body: str) -> str:
        """The transport's cleanup of a body about to be stored (SMS: GSM-7 friendly)."""
        ...

    def resolve_reply(self, text: str, options: list[dict[str, Any]] | None) -> str | None:
        """The option payload a participant's reply picks from the last options shown."""
        ...

    def deliver(self, to: str, body: str, *, reference: int | None = None) -> str | None:
        """Hand one stored message to the transport; its provider id (None when pulled)."""
        ...

    def opted_out(self, participant: Any) -> bool:
        """Whether the participant has opted out of this channel (carrier rules on SMS)."""
        ...
