"""Commands for progress reports, staff accounts and supervision (mixed into the Ledger).

Each takes plain values and the acting person, loads an aggregate, calls one
domain method with the recorded time from the ledger's clock, and saves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording

from application.photos import Photo, PhotoStore, kept
from domain.districts import Breakdown
from domain.errors import NotFound
from domain.plan import Item, KeyProject, Plan, item_id, key_project_id, plan_id
from domain.plan_amendments import AmendedItem, amended_items
from domain.progress import Filing, Period, ProjectValues, StaleReport
from domain.staff import Role, RoleError, StaffAccount, staff_id
from domain.supervision import Finding, SupervisionError, SupervisionRecord
from domain.wuxi import business_date


@dataclass(frozen=True)
class Receipt:
    """What a command wrote: the id it made and the log position to wait for."""

    id: str
    version: int
    notification_id: int
    related: tuple[str, ...] = ()  # ids of what was made with it (a record's findings)


def receipt(
    ident: str, version: int, recordings: Sequence[Recording[Any]], related: tuple[str, ...] = ()
) -> Receipt:
    return Receipt(ident, version, max(r.notification.id for r in recordings), related)


_Loaded = TypeVar("_Loaded", bound=Aggregate)


class Commands:
    # Provided by eventsourcing.Application and the Ledger.
    repository: Repository[UUID]
    save: Callable[..., list[Recording[Any]]]
    clock: Callable[[], datetime]
    photos: PhotoStore | None  # the photo store (application.photos), set by the CaseCommands

    def _get(self, kind: type[_Loaded], aggregate_id: UUID, what: str) -> _Loaded:
        """The aggregate of this id, if it is a `kind` (another kind's id is not found)."""
        try:
            aggregate: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError as error:
            raise NotFound(what) from error
        if not isinstance(aggregate, kind):
            raise NotFound(what)
        return aggregate

    def first_period(self, year: int) -> Period:
        """The plan's first reporting month (a registered plan never changes: kept once read)."""
        known: dict[int, Period] = self.__dict__.setdefault("_first_periods", {})
        if year not in known:
            plan = self._get(Plan, plan_id(year), f"plan {year}")
            known[year] = Period.of(plan.document.date)
        return known[year]

    def shared_units(self, year: int) -> dict[str, tuple[str, ...]]:
        """The units each key project's specific projects share (附件2 names them for the key
        project as a whole): by project ref. Kept once read, as the plan never changes."""
        known: dict[int, dict[str, tuple[str, ...]]] = self.__dict__.setdefault("_shared_units", {})
        if year not in known:
            plan = self._get(Plan, plan_id(year), f"plan {year}")
            shared: dict[str, tuple[str, ...]] = {}
            for number in plan.key_project_numbers:
                key = self._get(KeyProject, key_project_id(year, number), "key project")
                for ref in key.project_refs:
                    shared[ref] = (*shared.get(ref, ()), *key.units)
            known[year] = shared
        return known[year]

    def amended_item(self, item: Item, at: datetime) -> AmendedItem | None:
        """The item as the plan's amendments in force on `at`'s Wuxi day make it (None: none
        concerns it): reports are filed on the plan in force the day they are recorded."""
        plan = self._get(Plan, plan_id(item.year), f"plan {item.year}")
        day = business_date(at)
        mine = [a for a in plan.amendments if a.item == item.number and a.effective <= day]
        return amended_items([item.spec()], mine)[item.number] if mine else None

    # Progress reports -----------------------------------------------------

    def report_progress(
        self,
        *,
        year: int,
        item: int,
        period: str,
        unit: str,
        values: tuple[ProjectValues, ...],
        narrative: str,
        evidence: tuple[str, ...],
        actor: str,
        expected_version: int | None = None,
        districts: Breakdown = (),
        photos: Sequence[Photo] = (),
    ) -> Receipt:
        """A month's report; `photos` (cleaned, application.photos) of the work go with it."""
        aggregate, filing = self._filing(
            year, item, unit, values, narrative, evidence, actor, expected_version, districts
        )
        aggregate.report_progress(
            filing,
            Period.parse(period),
            self.first_period(year),
            self.shared_units(year),
            self.amended_item(aggregate, filing.recorded_at),
        )
        return self._save_report(aggregate, filing, expected_version, photos)

    def correct_report(
        self,
        *,
        year: int,
        item: int,
        corrects: str,
        reason: str,
        unit: str,
        values: tuple[ProjectValues, ...],
        narrative: str,
        evidence: tuple[str, ...],
        actor: str,
        expected_version: int | None = None,
        districts: Breakdown = (),
        photos: Sequence[Photo] = (),
    ) -> Receipt:
        aggregate, filing = self._filing(
            year, item, unit, values, narrative, evidence, actor, expected_version, districts
        )
        aggregate.correct_report(
            filing,
            corrects,
            reason,
            self.first_period(year),
            self.shared_units(year),
            self.amended_item(aggregate, filing.recorded_at),
        )
        return self._save_report(aggregate, filing, expected_version, photos)

    def _filing(
        self,
        year: int,
        item: int,
        unit: str,
        values: tuple[ProjectValues, ...],
        narrative: str,
        evidence: tuple[str, ...],
        actor: str,
        expected_version: int | None,
        districts: Breakdown = (),
    ) -> tuple[Item, Filing]:
        aggregate = self._get(Item, item_id(year, item), f"item {item} of {year}")
        if expected_version is not None and aggregate.version != expected_version:
            raise StaleReport(expected_version, aggregate.version)
        filing = Filing(
            str(uuid4()),
            unit,
            values,
            narrative.strip(),
            evidence,
            actor,
            self.clock(),
            tuple(districts),
        )
        return aggregate, filing

    def _save_report(
        self, aggregate: Item, filing: Filing, expected: int | None, photos: Sequence[Photo] = ()
    ) -> Receipt:
        try:
            with kept(self.photos, photos, f"report-{filing.report_id}") as hashes:
                if hashes:
                    aggregate.attach_photos(
                        filing.report_id, hashes, filing.unit, filing.actor, filing.recorded_at
                    )
                recordings = self.save(aggregate)
        except IntegrityError as error:
            # Another report on this item was saved between our read and our write.
            latest: Item = self.repository.get(aggregate.id)
            raise StaleReport(expected or aggregate.version - 1, latest.version) from error
        return receipt(filing.report_id, aggregate.version, recordings)

    # Staff ------------------------------------------------------------------

    def open_account(self, username: str, display_name: str, actor: str) -> Receipt:
        account = StaffAccount.open(username, display_name, actor, self.clock())
        try:
            recordings = self.save(account)
        except IntegrityError as error:
            raise RoleError(f"the account {username} exists already") from error
        return receipt(username, account.version, recordings)

    def account(self, username: str) -> StaffAccount:
        return self._get(StaffAccount, staff_id(username), f"account {username}")

    def grant_role(self, username: str, role: Role, actor: str) -> Receipt:
        account = self.account(username)
        account.grant(role, actor, self.clock())
        return receipt(username, account.version, self.save(account))

    def revoke_role(self, username: str, role: Role, actor: str) -> Receipt:
        account = self.account(username)
        account.revoke(role, actor, self.clock())
        return receipt(username, account.version, self.save(account))

    def record_password_change(self, username: str, actor: str) -> Receipt:
        account = self.account(username)
        account.password_changed(actor, self.clock())
        return receipt(username, account.version, self.save(account))

    # Supervision ------------------------------------------------------------

    def record_supervision(
        self,
        *,
        year: int,
        kind: str,
        held_on: date,
        title: str,
        summary: str,
        findings: Sequence[tuple[list[str], str]],
        actor: str,
    ) -> Receipt:
        """A supervision record and its findings, saved together.

        `findings`: (project refs, text) pairs.
        """
        now = self.clock()
        refs = sorted({ref for projects, _ in findings for ref in projects})
        record = SupervisionRecord.record(
            id=uuid4(),
            year=year,
            kind=kind,
            held_on=held_on,
            title=title,
            summary=summary,
            projects=refs,
            actor=actor,
            recorded_at=now,
        )
        raised = [
            Finding.raise_on(
                id=uuid4(),
                record=record,
                projects=projects,
                unit=self._rectifier(year, projects),
                text=text,
                actor=actor,
                recorded_at=now,
            )
            for projects, text in findings
        ]
        made = tuple(str(f.id) for f in raised)
        return receipt(str(record.id), record.version, self.save(record, *raised), made)

    def _rectifier(self, year: int, refs: list[str]) -> str:
        """The lead unit of the item the named projects belong to (one item per finding)."""
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
        heads = [ref.split(".")[0] for ref in refs]
        items = {int(head) for head in heads if head.isascii() and head.isdigit()}
        if len(items) != 1:
            raise SupervisionError("one_item", "a finding names projects of exactly one item")
        try:
            item = self._get(Item, item_id(year, items.pop()), "item")
        except NotFound:
            known: set[str] = set()
        else:
            known = {p.number for p in item.projects}
        if not set(refs) <= known:
            unknown = ", ".join(sorted(set(refs) - known))
            raise SupervisionError("unknown_projects", f"no project {unknown}", refs=unknown)
        return item.lead_unit

    def finding(self, finding_id: UUID) -> Finding:
        return self._get(Finding, finding_id, f"finding {finding_id}")

    def report_rectification(self, finding_id: UUID, text: str, unit: str, actor: str) -> Receipt:
        found = self.finding(finding_id)
        found.report_rectification(text, unit, actor, self.clock())
        return receipt(str(finding_id), found.version, self.save(found))

    def close_finding(self, finding_id: UUID, note: str, actor: str) -> Receipt:
        found = self.finding(finding_id)
        found.close(note, actor, self.clock())
        return receipt(str(finding_id), found.version, self.save(found))

    def reopen_finding(self, finding_id: UUID, reason: str, actor: str) -> Receipt:
        found = self.finding(finding_id)
        found.reopen(reason, actor, self.clock())
        return receipt(str(finding_id), found.version, self.save(found))
