"""`formwork tick`, `formwork worker` and `formwork webhooks …`: the background work.

Put on the command line by web/cli.py, kept apart because it is about scheduled work, not
set-up and accounts.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import click
from sqlalchemy import Engine

from engine.db import make_session_factory, transaction
from web.cli_common import (
    command_engine,
    command_session,
    formwork_command,
    formwork_group,
    moment,
    print_table,
    require_current_schema,
)

# -- background work: due transitions and webhook deliveries ---------------------------------


def _deliver_all(factory: Any, limit: int) -> tuple[int, int, int]:
    """Send due webhook deliveries in rounds of `limit` until none is due."""
    from engine.webhooks import deliver_due

    delivered = retrying = failed = 0
    while True:
        report = deliver_due(factory, limit=limit)
        delivered += len(report.delivered)
        retrying += len(report.retrying)
        failed += len(report.failed)
        if len(report.delivered) + len(report.retrying) + len(report.failed) < limit:
            return delivered, retrying, failed


def _notification_settings() -> Any:
    """The notification settings of the environment; a wrong variable ends the command."""
    from engine.notifications.settings import settings_from_env

    try:
        return settings_from_env()
    except ValueError as error:
        raise click.ClickException(str(error)) from None


def _tick_once(engine: Engine, limit: int) -> list[str]:
    from engine import idempotency, webhooks
    from engine.notifications.purge import purge as notifications_purge
    from engine.notifications.worker import deliver_round
    from engine.workflow import tick

    settings = _notification_settings()
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        report = tick(session)
        idempotency.purge(session)
        webhooks.purge(session)
        notifications_purge(session)
    delivered, retrying, failed = _deliver_all(factory, limit)
    lines = [
        f"Workflow: {len(report.fired)} due transition(s) fired, {len(report.skipped)} skipped."
    ]
    lines += [f"  {module} {record}: {why}" for module, record, why in report.skipped]
    lines.append(f"Reminders: {report.due_soon} due soon, {report.overdue} overdue.")
    lines.append(f"Webhooks: {delivered} delivered, {retrying} to retry later, {failed} given up.")
    lines.append(deliver_round(factory, limit=limit, settings=settings).line())
    return lines


@formwork_command("tick")
@click.option("--limit", default=100, show_default=True, help="Deliveries claimed per round.")
def tick_command(limit: int) -> None:
    """Fire due workflow transitions, then send every due webhook delivery and notification
    (and the daily digests whose hour has come); run from cron."""
    with command_engine() as engine:
        require_current_schema(engine)
        for line in _tick_once(engine, limit):
            click.echo(line)


def _start_imports(factory: Any, interval: float) -> Any:
    """The thread that runs queued import jobs beside the outbox rounds, started."""
    from engine.imports.jobs_worker import ImportWorker
    from web.cli_imports import command_store

    importer = ImportWorker(factory, command_store(), interval=interval)
    importer.start()
    return importer


def _send_outboxes(factory: Any, settings: Any) -> None:
    """One round of the worker: due webhook deliveries, then notifications and digests."""
    from engine.notifications.worker import deliver_round

    delivered, retrying, failed = _deliver_all(factory, 100)
    if delivered or retrying or failed:
        click.echo(f"Webhooks: {delivered} delivered, {retrying} to retry, {failed} given up.")
    told = deliver_round(factory, settings=settings)
    if told.any:
        click.echo(told.line())


@formwork_command("worker")
@click.option(
    "--interval",
    default=5.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Seconds between two looks at the webhook and notification outboxes.",
)
@click.option(
    "--tick-every",
    default=60.0,
    show_default=True,
    type=click.FloatRange(min=1),
    help="Seconds between two runs of the due-transition check.",
)
@click.option(
    "--imports/--no-imports",
    default=True,
    show_default=True,
    help="Also run queued import jobs (in a thread of their own).",
)
@click.option("--rounds", type=click.IntRange(min=1), default=None, hidden=True)
def worker(interval: float, tick_every: float, imports: bool, rounds: int | None) -> None:
    """Run until stopped: deliver webhooks and notifications every few seconds, due
    transitions every minute, and queued import jobs one after another.

    SIGTERM or Ctrl-C stops it after the current round (and the import under way). Several
    workers may run at once on PostgreSQL (they claim deliveries and jobs with SKIP LOCKED).
    """
    import signal

    from engine import idempotency, webhooks
    from engine.notifications.purge import purge as notifications_purge
    from engine.workflow import tick

    settings = _notification_settings()
    stopping = threading.Event()  # set by SIGTERM: the worker ends after its current round

    def stop(_signum: int, _frame: Any) -> None:
        stopping.set()

    previous = signal.signal(signal.SIGTERM, stop)
    done = 0
    last_tick = 0.0
    try:
        with command_engine() as engine:
            require_current_schema(engine)
            factory = make_session_factory(engine)
            importer = _start_imports(factory, min(interval, 2.0)) if imports else None
            click.echo(
                f"Worker started: outbox every {interval:g}s, due transitions every {tick_every:g}s"
                + (", import jobs as they come." if imports else ".")
            )
            while not stopping.is_set():
                if time.monotonic() - last_tick >= tick_every or last_tick == 0.0:
                    with transaction(factory) as session:
                        fired = len(tick(session).fired)
                        idempotency.purge(session)
                        webhooks.purge(session)
                        notifications_purge(session)
                    last_tick = time.monotonic()
                    if fired:
                        click.echo(f"{fired} due transition(s) fired.")
                _send_outboxes(factory, settings)
                done += 1
                if rounds is not None and done >= rounds:
                    break
                deadline = time.monotonic() + interval
                while not stopping.is_set() and time.monotonic() < deadline:
                    time.sleep(min(0.2, interval))
            if importer is not None:
                importer.stop()
                importer.join()  # the import under way ends as it would have
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("Worker stopped.")


@formwork_group()
def webhooks() -> None:
    """Register webhooks and read their delivery log."""


@webhooks.command("add")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    metavar="EVENT",
    help="created, updated, deleted, transition or state_entered (repeat).",
)
@click.option("--module", help="Only this module's records (default: every module).")
@click.option(
    "--allow-private",
    is_flag=True,
    help="Allow a loopback, private or link-local address (an internal system).",
)
def webhooks_add(
    url: str, events: tuple[str, ...], module: str | None, allow_private: bool
) -> None:
    """Register URL for events; prints the secret that signs deliveries, once."""
    from engine.webhooks import add_webhook

    with command_session() as session:
        hook = add_webhook(
            session, url, events, module=module, allow_private=allow_private, by=None
        )
        webhook_id, secret = hook.id, hook.secret
    click.echo(secret)
    click.echo(
        f"Webhook {webhook_id} for {', '.join(events)} on {module or 'every module'}: "
        "deliveries carry X-Formwork-Signature made with the secret above (shown only once).",
        err=True,
    )


@webhooks.command("list")
def webhooks_list() -> None:
    """List the webhooks with their events and how their deliveries stand."""
    from sqlalchemy import func, select

    from engine.models import WebhookMessage
    from engine.webhooks import list_webhooks

    with command_session() as session:
        counts: dict[tuple[int, str], int] = {
            (row[0], row[1]): row[2]
            for row in session.execute(
                select(WebhookMessage.webhook_id, WebhookMessage.status, func.count()).group_by(
                    WebhookMessage.webhook_id, WebhookMessage.status
                )
            )
        }
        rows = [
            (
                str(h.id),
                h.url,
                h.module or "*",
                ",".join(h.events or ()),
                ("removed" if h.removed_at else "active" if h.active else "paused")
                + (" (private ok)" if h.allow_private else ""),
                f"{counts.get((h.id, 'delivered'), 0)}/{counts.get((h.id, 'pending'), 0)}/"
                f"{counts.get((h.id, 'failed'), 0)}",
            )
            for h in list_webhooks(session) + list_webhooks(session, removed=True)
        ]
    if not rows:
        click.echo("No webhooks.")
        return
    print_table(("ID", "URL", "MODULE", "EVENTS", "STATE", "SENT/PENDING/FAILED"), rows)


@webhooks.command("deliveries")
@click.argument("webhook_id", type=int, required=False)
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def webhooks_deliveries(webhook_id: int | None, limit: int) -> None:
    """The latest delivery attempts (of one webhook, or of all): status and time taken."""
    from engine.webhooks import get_webhook, list_deliveries

    with command_session() as session:
        if webhook_id is not None:
            get_webhook(session, webhook_id)
        rows = [
            (
                moment(d.at),
                str(d.webhook_id),
                m.event,
                m.record_id,
                str(d.attempt),
                str(d.status_code) if d.status_code is not None else "-",
                f"{d.duration_ms} ms",
                m.status,
                (d.error or "")[:60],
            )
            for d, m in list_deliveries(session, webhook_id, limit)
        ]
    if not rows:
        click.echo("No deliveries yet.")
        return
    print_table(
        ("AT", "WEBHOOK", "EVENT", "RECORD", "TRY", "STATUS", "TIME", "STATE", "ERROR"), rows
    )


@webhooks.command("remove")
@click.argument("webhook_id", type=int)
def webhooks_remove(webhook_id: int) -> None:
    """Stop a webhook: nothing more is queued or sent for it; its log stays."""
    from engine.webhooks import remove_webhook

    with command_session() as session:
        remove_webhook(session, webhook_id, by=None)
    click.echo(f"Removed webhook {webhook_id}.")


@webhooks.command("pause")
@click.argument("webhook_id", type=int)
def webhooks_pause(webhook_id: int) -> None:
    """Hold a webhook's deliveries; its events keep being queued until it is resumed."""
    from engine.webhooks import pause_webhook

    with command_session() as session:
        pause_webhook(session, webhook_id, by=None)
    click.echo(f"Paused webhook {webhook_id}.")


@webhooks.command("resume")
@click.argument("webhook_id", type=int)
def webhooks_resume(webhook_id: int) -> None:
    """Deliver a paused webhook's events again, those held meanwhile first."""
    from engine.webhooks import resume_webhook

    with command_session() as session:
        resume_webhook(session, webhook_id, by=None)
    click.echo(f"Resumed webhook {webhook_id}.")
