"""The `firstcall` command line. `make run` uses it; so can a deployer without make."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import typer

from api.config import ROOT, get_settings

app = typer.Typer(
    help="firstcall: self-service assistant for workforce programs.", no_args_is_help=True
)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
staff_app = typer.Typer(help="Organizations, staff and API keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
partners_app = typer.Typer(help="The partner directory (HSDS 3.0).", no_args_is_help=True)
app.add_typer(partners_app, name="partners")
webhooks_app = typer.Typer(help="Webhooks to case-management systems.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")


@webhooks_app.command("add")
def webhooks_add(
    org: str = typer.Option(..., "--org", help="The organization's slug."),
    url: str = typer.Option(..., "--url", help="The CMS endpoint (https)."),
    description: str = typer.Option("", "--description"),
) -> None:
    """Register a CMS endpoint for the organization's handoffs; prints its signing secret."""
    from api.webhooks.cli import add

    raise typer.Exit(add(org, url, description))


@webhooks_app.command("notify-add")
def webhooks_notify_add(
    org: str = typer.Option(..., "--org"),
    email: str = typer.Option(..., "--email", help="A case manager's address."),
    urgent_only: bool = typer.Option(False, "--urgent-only"),
) -> None:
    """Email a case manager a link (never details) when a handoff opens or turns urgent."""
    from api.webhooks.cli import notify_add

    raise typer.Exit(notify_add(org, email, urgent_only))


@partners_app.command("import")
def partners_import(path: Path) -> None:
    """Import HSDS 3.0 JSON or a tabular package (directory or .zip); nothing on an error."""
    from api.directory.cli import run_import

    raise typer.Exit(run_import(path))


@partners_app.command("webhook-secret")
def partners_webhook_secret(service_id: str) -> None:
    """Print the Standard Webhooks secret a webhook partner verifies our signatures with.
    An operator's command on the server, never an API: any staff key could read it there."""
    from api.directory.cli import webhook_secret

    raise typer.Exit(webhook_secret(service_id))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to DATABASE_URL."""
    from api import migrate

    migrate.upgrade(get_settings().database_url)
    typer.echo("database is up to date")


@app.command()
def train(force: bool = typer.Option(False, help="Train even if nothing changed.")) -> None:
    """Train the Rasa model if bot/ or data/nlu/ changed since the last training."""
    from api import engine_model

    path, trained = engine_model.train(force=force)
    typer.echo(f"{'trained' if trained else 'up to date'}: {path.relative_to(engine_model.ROOT)}")


@app.command("load-demo")
def load_demo() -> None:
    """Create the demo organization, a case manager and an API key (once; development only)."""
    from api import demo
    from api.db import session_scope

    if not get_settings().is_development:
        typer.echo("demo data is only for local runs: set FIRSTCALL_ENV=development", err=True)
        raise typer.Exit(1)
    with session_scope() as db:
        key = demo.load(db_session=db)
    if key:
        typer.echo(f"demo API key written to {demo.DEMO_KEY_FILE}")


@app.command()
def run(
    simulator: bool = typer.Option(True, help="Start the local SMS simulator (Twilio stand-in)."),
) -> None:
    """Migrate, load demo data (development only), train if needed, start everything."""
    from api import demo, engine_model, migrate, supervisor
    from api.db import session_scope

    settings = get_settings()
    migrate.upgrade(settings.database_url)
    if settings.is_development:
        with session_scope() as db:
            demo.load(db_session=db)
        typer.echo(
            f"staff dashboard: {settings.public_base_url.rstrip('/')}/staff/login "
            f"(demo login in {demo.DEMO_STAFF_FILE.relative_to(ROOT)})"
        )
    model, _ = engine_model.train()
    try:
        code = supervisor.run(settings, model, simulator=simulator and not settings.is_production)
    except supervisor.PortInUse as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    raise typer.Exit(code)


@app.command("rasa-endpoints")
def rasa_endpoints_file() -> None:
    """Write the Rasa engine's endpoints file (concrete values only); print its path."""
    from api import rasa_endpoints

    typer.echo(str(rasa_endpoints.write(get_settings())))


@app.command()
def worker(
    once: bool = typer.Option(False, "--once", help="Do what is due, print it, and exit."),
    now: str | None = typer.Option(
        None, "--now", help="With --once: as of this time (ISO 8601; default: now)."
    ),
) -> None:
    """Run the worker: turns, outbox, abandoned screenings, referral deliveries."""
    from api import worker as jobs

    logging.basicConfig(level=logging.INFO)
    if not once:
        if now is not None:
            raise typer.BadParameter("--now goes with --once")
        jobs.run_forever()
        return
    as_of = None
    if now is not None:
        try:
            as_of = datetime.fromisoformat(now)
        except ValueError as exc:
            raise typer.BadParameter(f"--now: not an ISO 8601 time: {now!r}") from exc
        if as_of.tzinfo is None:
            raise typer.BadParameter("--now needs a UTC offset or Z, e.g. 2026-12-01T09:00:00Z")
        as_of = as_of.astimezone(UTC)
    jobs.check_ready()
    done = jobs.run_once(jobs.worker_name(), now=as_of)
    for job, count in done.items():
        typer.echo(f"{job}: {count}")


@staff_app.command("create-org")
def create_org(slug: str, name: str) -> None:
    from api.db import session_scope
    from api.staff import service as staff

    with session_scope() as db:
        org = staff.create_org(slug, name, db_session=db)
        typer.echo(f"organization {org.slug} created")


@staff_app.command("create-user")
def create_user(
    org_slug: str,
    email: str,
    name: str,
    role: str = typer.Option("case_manager", help="case_manager, supervisor or admin"),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Create a staff user; asks for the password (or reads it with --password-stdin)."""
    import sys

    from api.db import session_scope
    from api.staff import service as staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    if len(password) < 12:
        typer.echo("the password needs at least 12 characters", err=True)
        raise typer.Exit(1)
    with session_scope() as db:
        org = staff.org_by_slug(org_slug, db_session=db)
        if org is None:
            typer.echo(f"no organization {org_slug}", err=True)
            raise typer.Exit(1)
        try:
            staff.create_user(org, email, name, db_session=db, password=password, role=role)
        except ValueError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from exc
        typer.echo(f"staff user created in {org_slug} ({role})")


@staff_app.command("create-api-key")
def create_api_key(org_slug: str, label: str = "", out: Path | None = None) -> None:
    """Create an API key; it is shown once (or written to --out)."""
    from api.db import session_scope
    from api.staff import service as staff

    with session_scope() as db:
        org = staff.org_by_slug(org_slug, db_session=db)
        if org is None:
            typer.echo(f"no organization {org_slug}", err=True)
            raise typer.Exit(1)
        key = staff.create_api_key(org, label, db_session=db)
    if out:
        out.write_text(key + "\n", encoding="utf-8")
        typer.echo(f"API key written to {out}")
    else:
        sys.stdout.write(key + "\n")
