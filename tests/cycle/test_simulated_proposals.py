"""The labelled simulated solicitation of the 2024 cycle, on both stores: written through the
real commands with simulated actors, in the autumn of 2023, and labelled wherever it shows."""

from __future__ import annotations

from datetime import date

from flask import Flask

from application.simulated_proposals import LEFT_FOR_CANDIDATES, write_simulated_proposals
from domain.wuxi import business_date
from minsheng_site.services import Services
from projections.cycle import proposal_queries as pq
from projections.publiclog import log_queries as lq


def test_the_simulated_solicitation(app: Flask, site: Services) -> None:
    clock = site.ledger.clock
    summary = write_simulated_proposals(site.ledger, 2024)
    assert site.ledger.clock is clock  # the site's own clock again
    assert summary.refused == []
    assert (summary.proposals, summary.rejected, summary.merged) == (44, 4, 5)
    assert 380 <= summary.supports <= 400
    assert len(summary.unanswered) == LEFT_FOR_CANDIDATES
    site.caught_up()
    with site.read() as c:
        solicitation = pq.solicitation(c, 2024)
        assert solicitation is not None and solicitation.simulated
        assert business_date(solicitation.opened_at) == date(2023, 9, 1)
        assert solicitation.last_day == "2023-10-31" and solicitation.closed_at is not None
        counts = pq.counts(c, 2024)
        assert (counts.received, counts.approved, counts.rejected) == (44, 40, 4)
        assert counts.supports == summary.supports
        assert counts.answers == {
            "adopted": 0,
            "merged": 5,
            "not_adopted": 23,
            "none": LEFT_FOR_CANDIDATES,
        }
        left = pq.proposals(c, 2024, answer=pq.UNANSWERED)
        assert sorted(p.ref for p in left) == sorted(summary.unanswered)
        assert all(p.simulated for p in left)
        assert all(business_date(p.submitted_at).year == 2023 for p in left)
        entries = lq.latest(c, "proposals:2024", 500)
        assert entries and all(e.payload.get("simulated") for e in entries)
    listing = app.test_client().get("/cycle/2024/proposals/").get_data(as_text=True)
    assert listing.count('class="sim-tag"') == 40
    feed = app.test_client().get("/feeds/cycle/2024/proposals.rss").get_data(as_text=True)
    assert "【模拟】项目建议P" in feed
    # what is left can be adopted once a candidate is listed (from it, here)
    source = summary.unanswered[0]
    fields = {"category": "类", "description": "说明", "targets": [], "units": ["市民政局"]}
    site.ledger.list_candidate(2024, title="T", sources=[source], actor="sim:sim.gov", **fields)
    assert site.ledger.proposal(2024, int(source[1:])).candidate == "C1"
