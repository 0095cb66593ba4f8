"""The SMS channel (Twilio): numbered menus, SMS cleanup and segment budgets live here."""

from __future__ import annotations

from typing import Any

from api.channels import menus
from api.channels.base import Message, Outgoing
from api.i18n import sms


class SmsChannel:
    name = "sms"
    pushes = True

    def render(self, message: Message, language: str | None) -> Outgoing:
        buttons = [o.as_dict() for o in message.options]
        body = menus.numbered(message.text, buttons, language or "en") if buttons else message.text
        # No cards on SMS: an attachment becomes a line with its link.
        extra = [f"{a.title}: {a.url}" if a.url else a.title for a in message.attachments]
        return Outgoing("\n".join([body, *extra]), buttons or None)

    def clean(self, body: str) -> str:
        return sms.clean_for_sms(body)

    def resolve_reply(self, text: str, options: list[dict[str, Any]] | None) -> str | None:
        return menus.resolve(text, options)

    def deliver(self, to: str, body: str, *, reference: int | None = None) -> str | None:
        from api.channels import twilio_sms  # the Twilio client, loaded when first sending

        return twilio_sms.send(to, body, reference=reference)

    def opted_out(self, participant: Any) -> bool:
        return bool(participant.sms_opted_out)
