"""`firstcall webhooks ...`: thin command-line adapters (an operator's commands: the
endpoint's secret is shown once, here, and never by an API)."""

from __future__ import annotations

import sys

from api.db import session_scope
from api.staff import service as staff
from api.webhooks import notices
from api.webhooks import service as webhooks


def add(org_slug: str, url: str, description: str = "") -> int:
    with session_scope() as db:
        org = staff.org_by_slug(org_slug, db_session=db)
        if org is None:
            sys.stderr.write(f"no organization {org_slug}\n")
            return 1
        try:
            endpoint, secret = webhooks.add_endpoint(
                org.id, url, description=description, db_session=db
            )
        except ValueError as exc:
            sys.stderr.write(f"{exc}\n")
            return 1
        endpoint_id = endpoint.id
    sys.stderr.write(
        f"endpoint {endpoint_id} for {org_slug}: {url}\nsigning secret (shown once):\n"
    )
    sys.stdout.write(secret + "\n")
    return 0


def notify_add(org_slug: str, email: str, urgent_only: bool) -> int:
    with session_scope() as db:
        org = staff.org_by_slug(org_slug, db_session=db)
        if org is None:
            sys.stderr.write(f"no organization {org_slug}\n")
            return 1
        notices.add_recipient(org.id, email, urgent_only=urgent_only, db_session=db)
    which = "urgent handoffs" if urgent_only else "new and urgent handoffs"
    sys.stdout.write(f"{email} gets a link-only email for {which} of {org_slug}\n")
    return 0
