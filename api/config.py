"""Typed settings: the one place the environment is read.

Every setting has a type and, where safe, a local-development default. Fail closed: the
placeholder secrets are accepted only on an explicit local run (`FIRSTCALL_ENV` is
`development` or `test`) that nothing beyond loopback can reach (bind host and
`PUBLIC_BASE_URL` both loopback). Anything else needs real secrets or refuses to start.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused outside local runs
# A valid Fernet key that is public on purpose: only for local runs and tests.
PLACEHOLDER_ENCRYPTION_KEY = "ZGV2LWluc2VjdXJlLWtleS1mb3ItbG9jYWwtcnVucyE="
PLACEHOLDER_TWILIO_AUTH_TOKEN = "dev-twilio-auth-token"  # noqa: S105 - as above
LOCAL_ENVS = ("development", "test")  # exact values; unset or anything else is not local


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=ROOT / ".env", extra="ignore")

    env: str = Field("", validation_alias="FIRSTCALL_ENV")  # `make` sets development
    database_url: str = Field(
        f"sqlite:///{ROOT / 'var' / 'firstcall.db'}", validation_alias="DATABASE_URL"
    )
    public_base_url: str = Field("http://127.0.0.1:8000", validation_alias="PUBLIC_BASE_URL")
    # Logs, the Rasa endpoints file and other local state of `firstcall run`.
    var_dir: Path = Field(ROOT / "var", validation_alias="FIRSTCALL_VAR_DIR")
    secret_key: str = Field(PLACEHOLDER_SECRET, validation_alias="FIRSTCALL_SECRET_KEY")
    encryption_key: str = Field(
        PLACEHOLDER_ENCRYPTION_KEY, validation_alias="FIRSTCALL_ENCRYPTION_KEY"
    )
    port: int = Field(8000, validation_alias="FIRSTCALL_PORT")
    host: str = Field("127.0.0.1", validation_alias="FIRSTCALL_HOST")

    # Twilio (or our Twilio-compatible simulator, via TWILIO_API_BASE)
    twilio_account_sid: str = Field("AC" + "0" * 32, validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: str = Field(
        PLACEHOLDER_TWILIO_AUTH_TOKEN, validation_alias="TWILIO_AUTH_TOKEN"
    )
    twilio_from_number: str | None = Field("+15005550006", validation_alias="TWILIO_FROM_NUMBER")
    twilio_messaging_service_sid: str | None = Field(
        None, validation_alias="TWILIO_MESSAGING_SERVICE_SID"
    )
    twilio_api_base: str | None = Field(None, validation_alias="TWILIO_API_BASE")

    # The Rasa engine and the action server (both local processes by default)
    rasa_url: str = Field("http://127.0.0.1:5005", validation_alias="RASA_URL")
    rasa_timeout_seconds: float = Field(20.0, validation_alias="RASA_TIMEOUT_SECONDS")
    action_server_url: str = Field("http://127.0.0.1:5055", validation_alias="ACTION_SERVER_URL")
    rasa_port: int = Field(5005, validation_alias="RASA_PORT")
    action_port: int = Field(5055, validation_alias="ACTION_PORT")
    simulator_port: int = Field(8001, validation_alias="SIMULATOR_PORT")

    redis_url: str | None = Field(None, validation_alias="REDIS_URL")

    # The program this deployment serves
    program_name: str = Field("firstcall", validation_alias="PROGRAM_NAME")
    program_default_language: str = Field("en", validation_alias="PROGRAM_DEFAULT_LANGUAGE")
    program_org_slug: str = Field("demo", validation_alias="PROGRAM_ORG_SLUG")
    program_contact: str = Field("(555) 010-0100", validation_alias="PROGRAM_CONTACT")
    # The program's IANA zone: quiet hours for a participant whose own zone is not known.
    program_timezone: ZoneInfo = Field(
        ZoneInfo("America/Los_Angeles"), validation_alias="PROGRAM_TIMEZONE"
    )
    screening_modules: list[str] = Field(
        default_factory=lambda: ["ahc-hrsn-core", "workforce-supplemental"],
        validation_alias="SCREENING_MODULES",
    )

    # A screening with no reply for this long still hands its answers so far to staff.
    screening_abandoned_after_hours: float = Field(
        24.0, gt=0, validation_alias="SCREENING_ABANDONED_AFTER_HOURS"
    )

    # After the first booking, the next positive domain is offered, up to this many referrals.
    booking_max_referrals: int = Field(3, ge=1, validation_alias="BOOKING_MAX_REFERRALS")

    # Mail (partner referrals). Unset host in development: `firstcall run` starts a local sink.
    smtp_host: str | None = Field(None, validation_alias="SMTP_HOST")
    smtp_port: int = Field(25, validation_alias="SMTP_PORT")
    smtp_username: str | None = Field(None, validation_alias="SMTP_USERNAME")
    smtp_password: str | None = Field(None, validation_alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, validation_alias="SMTP_STARTTLS")
    smtp_from: str = Field("firstcall@localhost", validation_alias="SMTP_FROM")
    smtp_sink_port: int = Field(8025, validation_alias="SMTP_SINK_PORT")  # the dev sink's
    # A partner that has not answered a referral in this many business days: escalate.
    partner_response_business_days: int = Field(
        2, ge=1, validation_alias="PARTNER_RESPONSE_BUSINESS_DAYS"
    )
    # Holidays not counted as business days: a `holidays` country code, optionally with a
    # subdivision ("US", "US-CA"); empty for none.
    partner_response_holidays: str = Field("US", validation_alias="PARTNER_RESPONSE_HOLIDAYS")
    partner_link_max_age_days: int = Field(30, ge=1, validation_alias="PARTNER_LINK_MAX_AGE_DAYS")

    # Reminders (api/reminders/program.py, docs/REMINDERS.md): a program's own schedule (a YAML
    # file shaped like api/reminders/defaults.yml), quiet hours in the recipient's local time,
    # the least useful lead before the appointment, and the "did you make it?" time next day.
    reminder_schedule_file: Path | None = Field(None, validation_alias="REMINDER_SCHEDULE_FILE")
    reminder_quiet_start: str = Field("21:00", validation_alias="REMINDER_QUIET_START")
    reminder_quiet_end: str = Field("08:00", validation_alias="REMINDER_QUIET_END")
    reminder_min_lead_minutes: int = Field(60, ge=0, validation_alias="REMINDER_MIN_LEAD_MINUTES")
    reminder_followup_at: str = Field("10:00", validation_alias="REMINDER_FOLLOWUP_AT")
    # A reply answers the latest reminder or "did you make it?" sent within this many hours.
    reminder_reply_window_hours: int = Field(
        72, ge=1, validation_alias="REMINDER_REPLY_WINDOW_HOURS"
    )

    # Outbox sending (api/outbox/sender.py, throttle.py; docs/PERFORMANCE.md). The pace per
    # sender number in segments/s: SMS_RATE when set (0 = off), else by the kind of sender
    # (long code, toll-free number, messaging service), whatever server TWILIO_API_BASE
    # names (the simulator is paced like Twilio; SMS_RATE=0 for none). Twilio may hold at most
    # SMS_PROVIDER_BACKLOG_SECONDS of our messages (its queue holds 10 h: error 21611).
    sms_rate: float | None = Field(None, ge=0, validation_alias="SMS_RATE")
    sms_rate_long_code: float = Field(1.0, gt=0, validation_alias="SMS_RATE_LONG_CODE")
    sms_rate_toll_free: float = Field(3.0, gt=0, validation_alias="SMS_RATE_TOLL_FREE")
    sms_rate_messaging_service: float = Field(
        1.0, gt=0, validation_alias="SMS_RATE_MESSAGING_SERVICE"
    )
    sms_provider_backlog_seconds: float = Field(
        30.0, gt=0, le=36000, validation_alias="SMS_PROVIDER_BACKLOG_SECONDS"
    )
    outbox_batch_size: int = Field(200, ge=1, validation_alias="OUTBOX_BATCH_SIZE")
    outbox_send_threads: int = Field(16, ge=1, le=128, validation_alias="OUTBOX_SEND_THREADS")
    outbox_send_lease_seconds: float = Field(
        120.0, gt=10, validation_alias="OUTBOX_SEND_LEASE_SECONDS"
    )

    # Worker
    worker_poll_seconds: float = Field(1.0, validation_alias="WORKER_POLL_SECONDS")
    # The worker's webhook dispatcher: SQLite poll interval (PostgreSQL wakes on NOTIFY).
    webhook_dispatch_poll_seconds: float = Field(
        0.1, gt=0, validation_alias="WEBHOOK_DISPATCH_POLL_SECONDS"
    )
    worker_heartbeat_stale_seconds: float = Field(
        30.0, validation_alias="WORKER_HEARTBEAT_STALE_SECONDS"
    )
    inbound_retry_after_seconds: float = Field(10.0, validation_alias="INBOUND_RETRY_AFTER_SECONDS")
    max_message_chars: int = Field(1600, validation_alias="MAX_MESSAGE_CHARS")
    enable_docs: bool = Field(True, validation_alias="FIRSTCALL_ENABLE_DOCS")

    @property
    def is_development(self) -> bool:
        return self.env == "development"

    @property
    def is_production(self) -> bool:
        """Anything that is not an explicit local run counts as production (fail closed)."""
        return self.env not in LOCAL_ENVS

    def reachable_beyond_loopback(self) -> list[str]:
        reasons = []
        if not is_loopback(self.host):
            reasons.append(f"FIRSTCALL_HOST={self.host} is not loopback")
        if not is_loopback(urlsplit(self.public_base_url).hostname):
            reasons.append("PUBLIC_BASE_URL is not a loopback address")
        return reasons

    @model_validator(mode="after")
    def _refuse_placeholders_unless_local(self) -> Settings:
        why = self.reachable_beyond_loopback()
        if self.is_production:
            why.insert(0, "FIRSTCALL_ENV is not development or test")
        if not why:
            return self
        problems = []
        if self.secret_key == PLACEHOLDER_SECRET or len(self.secret_key) < 32:
            problems.append("FIRSTCALL_SECRET_KEY must be a real secret of 32+ characters")
        if self.encryption_key == PLACEHOLDER_ENCRYPTION_KEY:
            problems.append("FIRSTCALL_ENCRYPTION_KEY must be set (a Fernet key)")
        if self.twilio_auth_token == PLACEHOLDER_TWILIO_AUTH_TOKEN:
            problems.append("TWILIO_AUTH_TOKEN must be set")
        if problems:
            raise ValueError(
                f"refusing placeholder secrets ({'; '.join(why)}): {'; '.join(problems)}. "
                "For a local run, use FIRSTCALL_ENV=development on 127.0.0.1."
            )
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
