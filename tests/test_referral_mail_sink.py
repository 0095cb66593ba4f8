"""In development with SMTP_HOST unset, `firstcall run` starts a local aiosmtpd sink and the
simulator shows its mailbox at /mail; with SMTP_HOST set, mail goes there and no sink runs."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api import supervisor
from api.channels.simulator.server import create_simulator_app
from api.config import Settings, get_settings
from api.mail import sink, smtp
from tests.support.servers import free_port


def _dev(tmp_path: Path, **update: object) -> Settings:
    return get_settings().model_copy(
        update={"env": "development", "var_dir": tmp_path / "var", **update}
    )


def test_referral_dev_sink_started_when_smtp_host_unset(tmp_path: Path) -> None:
    settings = _dev(tmp_path, smtp_host=None, smtp_sink_port=8125)
    spec = supervisor.children(settings, Path("model.tar.gz"), simulator=True)
    names = [c.name for c in spec]
    assert names.index("mail") < names.index("app") < names.index("worker")
    mail = spec[names.index("mail")]
    assert mail.port == 8125 and "api.mail.sink" in mail.command
    assert str(settings.var_dir / "mail") in mail.command
    env = supervisor.child_env(settings, simulator=True)
    assert (env["SMTP_HOST"], env["SMTP_PORT"]) == ("127.0.0.1", "8125")


def test_referral_no_sink_when_smtp_host_is_set(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SMTP_HOST", raising=False)
    settings = _dev(tmp_path, smtp_host="smtp.partner-mail.example", smtp_port=587)
    names = [c.name for c in supervisor.children(settings, Path("m.tar.gz"), simulator=True)]
    assert "mail" not in names
    assert "SMTP_HOST" not in supervisor.child_env(settings, simulator=True)


def test_referral_simulator_mail_page_shows_the_sink_mailbox(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings = _dev(tmp_path)
    port = free_port()
    controller = sink.start(settings.var_dir / "mail", port)
    try:
        monkeypatch.setattr(get_settings(), "smtp_host", "127.0.0.1")
        monkeypatch.setattr(get_settings(), "smtp_port", port)
        text = "Please respond: https://firstcall.test/partner/r/abc.def\nName: <Ana>"
        smtp.send(smtp.build("intake@food.example", "New referral: food", text, message_id="m1"))
    finally:
        controller.stop()
    client = TestClient(create_simulator_app(settings))
    page = client.get("/mail")
    assert page.status_code == 200
    assert "New referral: food" in page.text and "intake@food.example" in page.text
    assert '<a href="https://firstcall.test/partner/r/abc.def"' in page.text
    assert "&lt;Ana&gt;" in page.text  # escaped
    [message] = client.get("/mail/messages").json()
    assert message["subject"] == "New referral: food"
    assert message["message_id"].startswith("<m1@")
