"""`firstcall partners import PATH` and `webhook-secret`: thin command-line adapters."""

from __future__ import annotations

import sys
from pathlib import Path

from api.directory import importer


class _Rollback(Exception):
    pass


def _progress(stage: str, done: int, total: int) -> None:
    sys.stderr.write(f"\r{stage} {done}/{total}")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run_import(path: Path) -> int:
    """Print every problem (PATH:WHERE: severity: reason) and a summary; 1 on an error."""
    from api.db import session_scope

    sys.stderr.write(f"reading {path}\n")
    result: importer.Result | None = None
    try:
        with session_scope() as db:
            result = importer.import_path(path, db_session=db, progress=_progress)
            if not result.ok:
                raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    for problem in result.found.problems:
        sys.stderr.write(f"{problem}\n")
    warnings, errors = len(result.found.warnings), len(result.found.errors)
    if errors:
        sys.stderr.write(f"{errors} error(s), {warnings} warning(s): nothing was imported\n")
        return 1
    assert result.summary is not None
    for line in result.summary.lines():
        sys.stdout.write(line + "\n")
    sys.stdout.write(f"{warnings} warning(s)\n")
    return 0


def webhook_secret(service_id: str) -> int:
    """The signing secret of a partner that takes referrals by webhook; 1 when it has none."""
    from api.db import session_scope
    from api.directory.models import HsdsService
    from api.referrals import webhook

    with session_scope(read_only=True) as db:
        service = db.get(HsdsService, service_id)
        if service is None or service.referral_method != "webhook":
            sys.stderr.write(f"{service_id}: no partner service that takes referrals by webhook\n")
            return 1
    sys.stdout.write(webhook.secret_for(service_id) + "\n")
    return 0
