"""The rating pages' rate limits: codes sent, codes tried, ratings given."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session

from application.verification import Address
from minsheng_site import throttle
from minsheng_site.ratings.contact import PENDING, verified
from minsheng_site.sealing import unseal
from minsheng_site.services import services


def rate_limits(app: Flask, limiter: Any) -> None:
    """Codes per address and contact; failed codes per address and per contact (a code is
    six digits: many addresses must not share out the guessing); ratings per address and voter."""

    def per_contact() -> str:
        address = Address.parse(request.form.get("contact", ""))
        value = f"{address.kind}:{address.value}" if address else "none"
        return "contact:" + services().ledger.vault.contact(value)

    def per_pending_contact() -> str:
        pending = unseal(PENDING, session.get(PENDING))
        value = f"{pending['kind']}:{pending['value']}" if pending else "none"
        return "contact:" + services().ledger.vault.contact(value)

    def per_voter() -> str:
        who = verified()
        return "voter:" + (who.voter if who else "none")

    views = app.view_functions
    post = {"methods": ["POST"]}
    view = limiter.limit(app.config["CODE_LIMIT_PER_ADDRESS"], **post)(
        views["ratings.pages.verify"]
    )
    views["ratings.pages.verify"] = limiter.limit(
        app.config["CODE_LIMIT_PER_CONTACT"], key_func=per_contact, **post
    )(view)
    failed = throttle.on_failure(401)
    view = limiter.limit(app.config["VERIFY_LIMIT"], **failed)(views["ratings.pages.code"])
    views["ratings.pages.code"] = limiter.limit(
        app.config["VERIFY_LIMIT_PER_CONTACT"], key_func=per_pending_contact, **failed
    )(view)
    for name in ("ratings.pages.rate_project", "ratings.pages.rate_item"):
        view = limiter.limit(app.config["RATING_LIMIT_PER_ADDRESS"], **post)(views[name])
        views[name] = limiter.limit(
            app.config["RATING_LIMIT_PER_VOTER"], key_func=per_voter, **post
        )(view)
