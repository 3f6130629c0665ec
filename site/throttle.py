"""Rate limits: one count shared by every process, over a moving window, keyed by no raw address.

Every limit lives in the store named by RATELIMIT_STORAGE_URI (Redis in
production and under `make run`), so N workers enforce the documented number,
not N times it. The moving window makes "10 per 10 minutes" hold for any ten
minutes, not per clock-aligned window (which allows twice as many across a
boundary). Addresses count as their network: an IPv4 address, or the /64 of
an IPv6 address (one host is given billions of addresses), and every key is a
keyed hash, so neither the store nor a log line holds an address or a phone.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits import RateLimitItem, parse
from limits.strategies import RateLimiter
from werkzeug.wrappers import Response

from minsheng_site.services import services

STRATEGY = "moving-window"


def network(address: str | None) -> str:
    """What one client is: its IPv4 address, or the /64 its IPv6 address belongs to."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def hashed(kind: str, value: str) -> str:
    """A limit key for `value` that does not reveal it (HMAC with PII_PEPPER)."""
    return f"{kind}:" + services().ledger.vault.contact(f"limit:{kind}:{value}")[:32]


def address_key() -> str:
    """The default key: the visitor's network (see `network`), hashed."""
    return hashed("addr", network(request.remote_addr))


def make_limiter(app: Flask) -> Limiter:
    limiter = Limiter(
        address_key,
        app=app,
        storage_uri=app.extensions["minsheng"].settings.ratelimit_storage_uri,
        strategy=STRATEGY,
        key_prefix="minsheng",
    )
    app.extensions["minsheng_limiter"] = limiter
    return limiter


def limiter() -> Limiter:
    return current_app.extensions["minsheng_limiter"]


def on_failure(status: int = 401) -> dict[str, Any]:
    """Decorator arguments: count a POST only when it fails with `status`."""
    failed: Callable[[Response], bool] = lambda response: response.status_code == status  # noqa: E731
    return {"deduct_when": failed, "methods": ["POST"]}


class Counter:
    """One limit counted by hand (for rules a decorator cannot say), in the limiter's store."""

    def __init__(self, limit: str, scope: str) -> None:
        self.item: RateLimitItem = parse(limit)
        self.scope = scope

    def _strategy(self) -> RateLimiter:
        return limiter().limiter

    def allows(self, key: str) -> bool:
        """Whether another attempt is allowed (counts nothing)."""
        return self._strategy().test(self.item, "minsheng", key, self.scope)

    def count(self, key: str) -> bool:
        """Count one attempt; False when the limit was already reached."""
        return self._strategy().hit(self.item, "minsheng", key, self.scope)
