"""The process-wide services open connections; closing them closes every one."""

from __future__ import annotations

from minsheng_site.services import Services


def test_closing_the_services_closes_the_key_stores_connections_too(database_url: str) -> None:
    # The key store in a database of its own kind (here the same server: what matters is a
    # pool of its own). Left open, its connections outlive the services and PostgreSQL's
    # driver complains when they are collected (found by the topology soak).
    services = Services.open(database_url, database_url, b"pepper")
    services.ledger.vault.key_for("13900001111")
    keys = services.ledger.vault.engine.pool
    reads = services.engine.pool
    assert keys.checkedin() > 0
    services.close()
    assert (keys.checkedin(), reads.checkedin()) == (0, 0)
