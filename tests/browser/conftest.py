"""The staff dashboard in a real browser: the app served by uvicorn on a free port with a
database of its own, the Twilio simulator beside it (signed webhooks in, the real twilio
client out), and Debian's chromium driven by Playwright (never a downloaded browser).

Fixtures:
- `live`: the running app (`live.url`), the simulator (`live.simulator`), the org, a logged-in
  admin's email and password (`live.email`, `live.password`), `live.text(phone, body)` to send
  a signed SMS through the simulator, `live.sent(phone)` for what reached the phone, and
  `live.send_outbox()` to run the sender once.
- `browser`: one chromium for the session.
- `staff_page`: a page (1280x800) already logged in as the admin; closed after the test.
- `shoot(page, name)`: screenshots at 1280 px and 768 px wide, kept in
  var/test-artifacts/browser/<name>-<width>.png.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.config import ROOT
from api.db import session_scope
from api.staff import service as staff
from tests.support.chromium import ARGS, CHROMIUM
from tests.support.isolated_db import isolated_database
from tests.support.servers import ThreadServer, wait_for
from tests.support.simulator import running_simulator

ARTIFACTS = ROOT / "var" / "test-artifacts" / "browser"
WIDTHS = (1280, 768)


@dataclass
class Live:
    url: str
    simulator: str
    org_id: str
    email: str
    password: str
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self, phone: str, body: str) -> None:
        """The simulated phone texts the app: a signed webhook, as Twilio sends it."""
        response = httpx.post(
            f"{self.simulator}/sim/send", json={"phone": phone, "body": body}, timeout=30
        )
        assert response.status_code == 200 and response.json()["webhook_status"] == 200

    def sent(self, phone: str) -> list[str]:
        """What the app sent to that phone, oldest first."""
        rows = httpx.get(f"{self.simulator}/sim/messages", params={"phone": phone}).json()
        return [r["body"] for r in rows if r["direction"] == "outbound-api"]

    def send_outbox(self) -> int:
        from api.outbox import sender

        return sender.send_due()


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    from api.main import create_app

    with pytest.MonkeyPatch.context() as mp, ExitStack() as stack:
        tmp = tmp_path_factory.mktemp("browser")
        stack.enter_context(isolated_database(tmp, mp, application_name="firstcall-browser"))
        email, password = "admin@example.org", "browser-test-password-1"
        with session_scope() as db:
            org = staff.create_org("demo", "Demo Workforce Program", db_session=db)
            staff.create_user(org, email, "Avery Admin", db_session=db, password=password,
                              role="admin")  # fmt: skip
            org_id = org.id
        server = stack.enter_context(ThreadServer(create_app()))
        simulator = stack.enter_context(running_simulator(mp, app_url=server.url))
        yield Live(server.url, simulator.url, org_id, email, password)


@pytest.fixture(autouse=True)
def no_quiet_hours(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The live app runs on the real clock: no quiet hours while a browser test runs, or a
    reply at night would wait for 08:00 (quiet hours are tested with a frozen clock)."""
    from api.config import get_settings

    monkeypatch.setenv("REMINDER_QUIET_START", "00:00")
    monkeypatch.setenv("REMINDER_QUIET_END", "00:00")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# Per module: a running sync Playwright owns an event loop in this thread, and later tests
# that call asyncio.run() (or start their own Playwright) would fail beside it.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def log_in(page: Any, live: Live, email: str | None = None, password: str | None = None) -> None:
    page.goto(f"{live.url}/staff/login")
    page.get_by_label("Email").fill(email or live.email)
    page.get_by_label("Password").fill(password or live.password)
    page.get_by_role("button", name="Log in").click()
    # 60 s, not Playwright's 30: on a 2-CPU CI host running both backends' suites at once,
    # an argon2 check and the inbox behind it once took longer than 30 s on PostgreSQL.
    page.wait_for_url(f"{live.url}/staff/", timeout=60_000)


@pytest.fixture
def staff_page(browser: Any, live: Live) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    log_in(page, live)
    yield page
    context.close()


@pytest.fixture
def shoot() -> Callable[[Any, str], list[Path]]:
    """Screenshots of the page at 1280 px and 768 px wide (full page), as test artifacts."""

    def take(page: Any, name: str) -> list[Path]:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        before = page.viewport_size
        paths = []
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            path = ARTIFACTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        if before:
            page.set_viewport_size(before)
        return paths

    return take


def new_phone() -> str:
    return "+1555" + str(uuid.uuid4().int)[:7]


def wait_until(check: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    return wait_for(check, timeout, what, interval=0.25)
