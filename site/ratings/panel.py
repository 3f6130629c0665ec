"""The ratings panel that project and item pages show (public to other features)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import Connection

from domain.ratings import ballot_id
from domain.satisfaction import LEVELS
from minsheng_site.ratings.contact import verified, verifier
from minsheng_site.ratings.forms import RatingForm
from minsheng_site.services import services
from projections.ratings import rating_queries as rq
from projections.ratings.satisfaction_queries import MIN_RANKED


def panel(
    c: Connection,
    subject: str,
    page: str,
    form: RatingForm | None = None,
    just_rated: bool = False,
) -> dict[str, Any]:
    kind, year, ref = subject.split(":")
    figures = rq.subject_ratings(c, kind, int(year), ref)
    who = verified()
    mine = None
    if who is not None:
        quarter = services().ledger.quarter_now()
        mine = rq.level_of(c, str(ballot_id(who.voter, subject, quarter)))
    rate_url = (
        url_for("ratings.pages.rate_project", year=int(year), ref=ref)
        if kind == "project"
        else url_for("ratings.pages.rate_item", year=int(year), number=int(ref))
    )
    return {
        "rating": {
            "subject": subject,
            "tally": figures.tally,
            "quarters": figures.quarters,
            "with_projects": figures.with_projects,
            "min_ranked": MIN_RANKED,
            "comments": figures.comments,
            "rejected": figures.rejected,
            "pending": figures.pending,
            "who": who,
            "mine": mine,
            "can_verify": verifier().sender.accepts("email") or verifier().sender.accepts("phone"),
            "quarter": services().ledger.quarter_now(),
            # Only a verified rater gets the form (and with it a CSRF token in the session):
            # everyone else reads the same page, which the page cache can then keep.
            "form": form or (RatingForm(formdata=None) if who is not None else None),
            "rate_url": rate_url,
            "page": page,
            "just_rated": just_rated,
            "levels": LEVELS,
            "year": int(year),
        }
    }
