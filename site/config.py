"""Configuration comes from the environment only."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def settings(
    overrides: Mapping[str, Any], environ: Mapping[str, str] = os.environ
) -> dict[str, Any]:
    """The environment's settings with `overrides` (tests) on top; defaults under instance/."""
    config = {**from_environment(environ), **overrides}
    instance = Path(config["INSTANCE_PATH"])
    config.setdefault("DATABASE_URL", f"sqlite:///{instance / 'minsheng.sqlite3'}")
    # Personal-data keys live apart from the event log (a different file or database).
    config.setdefault("KEY_STORE_URL", f"sqlite:///{instance / 'keys.sqlite3'}")
    config.setdefault("SECRET_KEY", _instance_secret(instance, "secret_key"))
    config.setdefault("PII_PEPPER", _instance_secret(instance, "pii_pepper"))
    # Photos live outside the event log, as files named by their SHA-256.
    config.setdefault("PHOTO_DIR", str(instance / "photos"))
    return config


def from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    optional = ("DATABASE_URL", "KEY_STORE_URL", "SECRET_KEY", "PII_PEPPER", "PHOTO_DIR")
    return {
        "INSTANCE_PATH": environ.get("INSTANCE_PATH", str(ROOT / "instance")),
        **{key: environ[key] for key in optional if environ.get(key)},
        # The embedded set-up runs the projector in a thread of the web process;
        # with a separate `projections` worker (Procfile) this stays off.
        "PROJECTOR_THREAD": environ.get("PROJECTOR_THREAD", "0") == "1",
        "PROJECTOR_INTERVAL": float(environ.get("PROJECTOR_INTERVAL", "0.5")),
        # /healthz answers 503 when a read model lags the log by more events than this.
        "HEALTH_MAX_BEHIND": int(environ.get("HEALTH_MAX_BEHIND", "1000")),
        # Rate limits (site/throttle.py) count in this store. memory:// counts per process:
        # with several workers every limit would be multiplied by their number, so
        # production and `make run` give them one shared Redis (redis://host:6379/0).
        "RATELIMIT_STORAGE_URI": environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Built public pages (site/caching.py): empty keeps them in each process; a Redis
        # (redis://host:6379/1, or unix:///path/redis.sock) shares them among every worker
        # and host; "off" stores none.
        "PAGE_CACHE_URL": environ.get("PAGE_CACHE_URL", ""),
        # Failed sign-ins (site/sign_in_limits.py): from one address; for one username from
        # one address; and for one username from anywhere (an alarm: past it only networks
        # the account signed in from within LOGIN_KNOWN_NETWORK_DAYS may still try).
        "LOGIN_LIMIT_PER_ADDRESS": environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per 15 minutes"),
        "LOGIN_LIMIT_PER_USERNAME_ADDRESS": environ.get(
            "LOGIN_LIMIT_PER_USERNAME_ADDRESS", "5 per 15 minutes"
        ),
        "LOGIN_LIMIT_PER_USERNAME": environ.get("LOGIN_LIMIT_PER_USERNAME", "10 per hour"),
        "LOGIN_KNOWN_NETWORK_DAYS": int(environ.get("LOGIN_KNOWN_NETWORK_DAYS", "60")),
        # How staff passwords are hashed (werkzeug's method string); empty: scrypt with
        # werkzeug's cost (N=32768, r=8, p=1). Existing hashes keep the cost they were made with.
        "PASSWORD_HASH": environ.get("PASSWORD_HASH", ""),
        # Citizens' messages and lookups (the phone counts as its keyed hash). Failed lookups
        # count per address and per case number (the code is what is guessed).
        "CASE_LIMIT_PER_ADDRESS": environ.get("CASE_LIMIT_PER_ADDRESS", "10 per hour"),
        "CASE_LIMIT_PER_PHONE": environ.get("CASE_LIMIT_PER_PHONE", "5 per day"),
        "LOOKUP_LIMIT": environ.get("LOOKUP_LIMIT", "10 per 10 minutes"),
        "LOOKUP_LIMIT_PER_CASE": environ.get("LOOKUP_LIMIT_PER_CASE", "20 per day"),
        # Searches per address (the page and the API together): live results ask as one
        # types, so room for a few people typing behind one address.
        "SEARCH_LIMIT": environ.get("SEARCH_LIMIT", "120 per minute"),
        # Ratings: one-time codes. DEV_OUTBOX=1 (make run) keeps them in a local outbox
        # shown at /dev/outbox instead of sending; production sets SMTP_URL and/or an SMS
        # gateway. With none of them, ratings cannot be verified (the page says so).
        "DEV_OUTBOX": environ.get("DEV_OUTBOX", "0") == "1",
        "SMTP_URL": environ.get("SMTP_URL", ""),
        "SMS_GATEWAY_URL": environ.get("SMS_GATEWAY_URL", ""),
        "SMS_GATEWAY_TOKEN": environ.get("SMS_GATEWAY_TOKEN", ""),
        "CODE_LIMIT_PER_ADDRESS": environ.get("CODE_LIMIT_PER_ADDRESS", "10 per hour"),
        "CODE_LIMIT_PER_CONTACT": environ.get("CODE_LIMIT_PER_CONTACT", "3 per 15 minutes"),
        "VERIFY_LIMIT": environ.get("VERIFY_LIMIT", "10 per 10 minutes"),
        "VERIFY_LIMIT_PER_CONTACT": environ.get("VERIFY_LIMIT_PER_CONTACT", "10 per day"),
        "RATING_LIMIT_PER_ADDRESS": environ.get("RATING_LIMIT_PER_ADDRESS", "120 per hour"),
        "RATING_LIMIT_PER_VOTER": environ.get("RATING_LIMIT_PER_VOTER", "60 per hour"),
        # Messages to citizens about their cases (minsheng_site.notices, application.notifier),
        # sent through the same senders: "is it fixed?" N days after 销号, a reminder to
        # evaluate a reply, and no text messages in the quiet hours (Wuxi time, from-until).
        "NOTIFY_FOLLOW_UP_DAYS": int(environ.get("NOTIFY_FOLLOW_UP_DAYS", "28")),
        "NOTIFY_REMIND_DAYS": int(environ.get("NOTIFY_REMIND_DAYS", "3")),
        "NOTIFY_QUIET_HOURS": environ.get("NOTIFY_QUIET_HOURS", "21-8"),  # "0-0": none
        # How long a message a process took to send stays its own: a process killed while
        # sending leaves it to another after this (seconds).
        "NOTIFY_CLAIM_SECONDS": int(environ.get("NOTIFY_CLAIM_SECONDS", "120")),
        # E-mail alerts of followed pages: seconds between rounds of the thread beside the
        # projector's (`make run`; the Procfile's `alerts` process takes --interval).
        "ALERTS_INTERVAL": float(environ.get("ALERTS_INTERVAL", "60")),
        # The open-data bundle: built in a background thread (1, readers meanwhile get the
        # newest on disk) or within the request that asks for it (0: the tests, a small site).
        "BUNDLE_IN_BACKGROUND": environ.get("BUNDLE_IN_BACKGROUND", "1") == "1",
        # The 12345 hotline platform's bearer token for POST /api/v1/cases (unset: endpoint closed).
        "INTAKE_API_TOKEN": environ.get("INTAKE_API_TOKEN", ""),
        # Flask's own settings: given here (not with setdefault, a no-op for keys Flask
        # already defines) so that they take effect. Secure cookies also send HSTS.
        "SESSION_COOKIE_SECURE": environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # A session cookie is refused 8 hours after it was last written, whoever holds it.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "MAX_CONTENT_LENGTH": 1024 * 1024,  # no form or API body is bigger: 413 past it
        # ...but a form with photos (minsheng_site.uploads): 3 files of 10 MB and the form.
        "PHOTO_UPLOAD_LIMIT": 3 * 10 * 1024 * 1024 + 1024 * 1024,
        # bench/reports.py only: a bare sqlite3 POST to compare report submission with.
        "BENCH_BASELINE": environ.get("BENCH_BASELINE", "0") == "1",
        # Behind a reverse proxy: how many proxies' X-Forwarded-For to trust (the client's
        # address, for rate limits). Never the host: see PUBLIC_BASE_URL.
        "TRUSTED_PROXIES": int(environ.get("TRUSTED_PROXIES", "0")),
        # Where the public reaches the site: every absolute URL (feeds, OPML, API, Open311,
        # canonical links) starts with it, whatever Host a request says. Production sets it;
        # the default is make run's address (make run passes its PORT).
        "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
    }


def _instance_secret(instance: Path, name: str) -> str:
    """A development secret kept under instance/ (0600 from its creation: never readable by
    others, even for a moment); production sets it in the environment."""
    path = instance / name
    instance.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        path.chmod(0o600)  # an earlier version may have left it readable
    else:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
