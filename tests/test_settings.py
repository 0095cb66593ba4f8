"""Fail closed: placeholder secrets only on an explicit local run bound to loopback, and a
Twilio signature check that has no switch."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from api.config import PLACEHOLDER_ENCRYPTION_KEY, PLACEHOLDER_SECRET, Settings, get_settings
from api.staff import service as staff

REAL = {
    "FIRSTCALL_SECRET_KEY": "s" * 40,
    "FIRSTCALL_ENCRYPTION_KEY": "bm90LWEtcmVhbC1rZXktYnV0LWxvbmctZW5vdWdoISE=",
    "TWILIO_AUTH_TOKEN": "a-real-looking-twilio-token",
}


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """A developer's machine: placeholders everywhere, loopback only."""
    monkeypatch.setenv("FIRSTCALL_ENV", "development")
    monkeypatch.setenv("FIRSTCALL_HOST", "127.0.0.1")
    monkeypatch.setenv("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
    for name in REAL:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_local_development_on_loopback_runs_with_placeholders(local: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.secret_key == PLACEHOLDER_SECRET
    assert settings.encryption_key == PLACEHOLDER_ENCRYPTION_KEY
    assert settings.is_development and not settings.is_production
    for host, url in (("::1", "http://[::1]:8000"), ("localhost", "http://localhost:8000")):
        local.setenv("FIRSTCALL_HOST", host)
        local.setenv("PUBLIC_BASE_URL", url)
        assert Settings().host == host


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "firstcall.example.org"])  # noqa: S104
def test_placeholder_secrets_refused_when_bound_beyond_loopback(
    local: pytest.MonkeyPatch, host: str
) -> None:
    local.setenv("FIRSTCALL_HOST", host)
    with pytest.raises(ValidationError) as info:
        Settings()
    message = str(info.value)
    assert "FIRSTCALL_HOST" in message
    for name in REAL:
        assert name in message


def test_placeholder_secrets_refused_when_public_url_is_not_loopback(
    local: pytest.MonkeyPatch,
) -> None:
    local.setenv("PUBLIC_BASE_URL", "https://firstcall.example.org")
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL.*FIRSTCALL_SECRET_KEY"):
        Settings()


@pytest.mark.parametrize("env", [None, "", "production", "staging", "prod", "Development"])
def test_placeholder_secrets_refused_unless_env_is_explicitly_development_or_test(
    local: pytest.MonkeyPatch, env: str | None
) -> None:
    if env is None:
        local.delenv("FIRSTCALL_ENV")
    else:
        local.setenv("FIRSTCALL_ENV", env)
    with pytest.raises(ValidationError, match="FIRSTCALL_ENV"):
        Settings()


def test_a_short_secret_is_refused_beyond_loopback(local: pytest.MonkeyPatch) -> None:
    for name, value in REAL.items():
        local.setenv(name, value)
    local.setenv("FIRSTCALL_ENV", "production")
    assert Settings().is_production
    local.setenv("FIRSTCALL_SECRET_KEY", "short")
    with pytest.raises(ValidationError, match="32"):
        Settings()


def test_real_secrets_run_anywhere(local: pytest.MonkeyPatch) -> None:
    for name, value in REAL.items():
        local.setenv(name, value)
    local.setenv("FIRSTCALL_ENV", "staging")
    local.setenv("FIRSTCALL_HOST", "0.0.0.0")  # noqa: S104
    local.setenv("PUBLIC_BASE_URL", "https://firstcall.example.org")
    settings = Settings()
    assert settings.is_production and not settings.is_development


def test_settings_have_no_signature_switch(local: pytest.MonkeyPatch) -> None:
    local.setenv("TWILIO_VALIDATE_SIGNATURE", "false")
    assert not any("signature" in name for name in Settings.model_fields)


@pytest.fixture
def unsigned_allowed_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What used to turn the check off; settings are re-read with it."""
    monkeypatch.setenv("TWILIO_VALIDATE_SIGNATURE", "false")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("TWILIO_VALIDATE_SIGNATURE")
    get_settings.cache_clear()


def test_twilio_signature_check_cannot_be_switched_off(
    unsigned_allowed_env: None, client, db: Session
) -> None:  # type: ignore[no-untyped-def]
    params = {"From": "+15551230000", "Body": "hello", "MessageSid": "SM" + "5" * 32}
    for headers in ({}, {"X-Twilio-Signature": "forged"}):
        response = client.post("/channels/twilio/sms", data=params, headers=headers)
        assert response.status_code == 403
    status = {"MessageSid": "SM" + "5" * 32, "MessageStatus": "delivered"}
    assert client.post("/channels/twilio/status", data=status).status_code == 403


def test_demo_data_is_loaded_only_in_development(
    db: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from api import demo
    from api.cli import app

    key_file = tmp_path / "demo-api-key.txt"
    monkeypatch.setattr(demo, "load", functools.partial(demo.load, key_file=key_file))
    assert get_settings().env == "test"
    result = CliRunner().invoke(app, ["load-demo"])
    assert result.exit_code != 0
    assert "FIRSTCALL_ENV=development" in result.output
    assert staff.org_by_slug(get_settings().program_org_slug, db_session=db) is None
    assert not key_file.exists()


def test_test_runs_use_the_test_environment() -> None:
    settings = get_settings()
    assert settings.env == "test"
    assert settings.port == 8000
    assert settings.program_default_language == "en"
