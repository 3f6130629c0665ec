"""Sending the alerts that are due: what happened to each followed topic, by e-mail.

Runs inside the app (its URLs and translations): `flask alerts run` (the Procfile's
`alerts` process) or beside the projector thread (`make run`). Each alert is handed over
before its position is recorded, with a key made of the subscription and the news it
tells (its Message-ID): an alert handed over twice after a crash is the same message.
"""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import Flask, current_app, url_for
from flask.cli import AppGroup
from flask_babel import force_locale
from flask_babel import gettext as _

from application.verification import Address, Mail, SendFailed
from minsheng_site.alerts import topics
from minsheng_site.describe import entry_words
from minsheng_site.services import services
from minsheng_site.views import today

log = logging.getLogger(__name__)


def send_due() -> int:
    """Send every alert that is due and has news; how many were sent."""
    site = services()
    sent = 0
    for subscription in site.subscriptions.due():
        if subscription.email is None:  # erased: the address can no longer be read
            continue
        with force_locale(subscription.language), site.read() as c:
            followed = topics.topic(c, subscription.topic)
            if followed is None:
                continue
            told = topics.news(c, subscription.topic, subscription.after, today(), entry_words)
            if not told:
                continue
            secret = site.subscriptions.secret(subscription.id)
            stop, one_click = (
                url_for(e, subscription_id=subscription.id, secret=secret, _external=True)
                for e in ("alerts.pages.stop", "alerts.pages.one_click")
            )
            subject = _("%(t)s：%(n)s条新动态", t=followed.title, n=len(told))
            lines = [f"{n.heading}\n{n.summary}\n{n.link}" for n in told]
            text = "\n\n".join([subject, *lines, _("退订：%(link)s", link=stop)])
        position = told[-1].position
        headers = (
            ("List-Unsubscribe", f"<{one_click}>"),
            ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
        )
        address = Address("email", subscription.email)
        try:
            site.verifier.sender.send(
                address, text, key=f"a{subscription.id}-{position}", mail=Mail(subject, headers)
            )
        except SendFailed:
            log.warning("alert %s not sent; tried again next round", subscription.id)
            continue
        sent += site.subscriptions.sent(subscription.id, subscription.after, position)
    return sent


def send_due_in(app: Flask) -> int:
    """`send_due` outside a request: links start with PUBLIC_BASE_URL, as every page's do."""
    with app.test_request_context("/", base_url=app.config["PUBLIC_BASE_URL"]):
        return send_due()


def run(app: Flask, stop: threading.Event, interval: float = 60.0) -> None:
    """Send due alerts until `stop` is set (a failure is logged and tried again)."""
    while not stop.is_set():
        try:
            send_due_in(app)
        except Exception:
            log.exception("alerts round failed; retrying")
        stop.wait(interval)


alerts_cli = AppGroup("alerts", help="E-mail alerts of followed pages.")


@alerts_cli.command("send")
def send_command() -> None:
    """Send the alerts that are due now, once."""
    click.echo(f"{send_due_in(current_app._get_current_object())} alerts sent")  # type: ignore[attr-defined]


@alerts_cli.command("run")
@click.option(
    "--interval", type=float, default=60.0, show_default=True, help="seconds between rounds"
)
def run_command(interval: float) -> None:
    """Send due alerts until stopped (the Procfile's `alerts` process)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("alerts running")
    run(current_app._get_current_object(), stop, interval)  # type: ignore[attr-defined]
