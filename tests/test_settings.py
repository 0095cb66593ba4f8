"""Production refuses placeholder secrets and unsigned webhooks."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.config import Settings


def test_production_refuses_placeholders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRSTCALL_ENV", "production")
    monkeypatch.delenv("FIRSTCALL_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="FIRSTCALL_SECRET_KEY"):
        Settings()


def test_production_refuses_turning_off_signature_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIRSTCALL_ENV", "production")
    monkeypatch.setenv("FIRSTCALL_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("FIRSTCALL_ENCRYPTION_KEY", "bm90LWEtcmVhbC1rZXktYnV0LWxvbmctZW5vdWdoISE=")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "real-token")
    monkeypatch.setenv("TWILIO_VALIDATE_SIGNATURE", "false")
    with pytest.raises(ValidationError, match="signature"):
        Settings()
    monkeypatch.setenv("TWILIO_VALIDATE_SIGNATURE", "true")
    assert Settings().is_production


def test_local_runs_have_working_defaults() -> None:
    settings = Settings()
    assert settings.port == 8000 or settings.port > 0
    assert settings.program_default_language == "en"
