"""The service layer: the eventsourcing `Application` and the adapters that feed it."""

from application.ledger import Ledger, PlanRegistration

__all__ = ["Ledger", "PlanRegistration"]
