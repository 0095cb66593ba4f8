"""One email over SMTP, configured by the SMTP_* settings (smtplib, optional STARTTLS).

A failure says whether it is worth retrying: a server that is down or answers 4xx is
retried by the caller; a 5xx refusal of the recipient is not.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from api.config import get_settings

TIMEOUT_SECONDS = 15


class MailError(Exception):
    def __init__(self, code: str, retry: bool) -> None:
        super().__init__(code)
        self.code = code
        self.retry = retry


def build(
    to: str, subject: str, text: str, *, message_id: str, html: str | None = None
) -> EmailMessage:
    settings = get_settings()
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    domain = settings.smtp_from.rpartition("@")[2] or "localhost"
    # A stable id: a retry after a lost answer is recognisable as the same message.
    message["Message-ID"] = f"<{message_id}@{domain}>"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


def send(message: EmailMessage) -> None:
    settings = get_settings()
    if not settings.smtp_host:
        raise MailError("no_smtp_host", retry=True)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise MailError(
            f"smtp_{codes[0] if codes else 'refused'}", retry=_transient(codes)
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"smtp_{exc.smtp_code}", retry=_transient([exc.smtp_code])) from None
    except (OSError, smtplib.SMTPException) as exc:  # down, refused, timed out, dropped
        raise MailError(f"smtp_{type(exc).__name__}"[:48], retry=True) from None


def _transient(codes: list[int]) -> bool:
    return not codes or any(400 <= code < 500 for code in codes)
