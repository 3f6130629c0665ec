"""One whole corpus run on one store, and its figures: shared by the test and bench/hostile.py."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from domain.plan_spec import PlanSpec
from tests.hostile import CORPUS
from tests.reliability import (
    hostile_cases,
    hostile_intake,
    hostile_people,
    hostile_proposals,
    hostile_staff,
)
from tests.reliability.hostile_readback import ReadBack, read_back
from tests.reliability.hostile_site import Site, build
from tests.reliability.hostile_trials import Trials

SURFACES = (
    hostile_intake.citizen_form,
    hostile_intake.hotline_form,
    hostile_intake.intake_api,
    hostile_intake.csv_import,
    hostile_cases.staff_steps,
    hostile_cases.lookup,
    hostile_cases.evaluation,
    hostile_cases.citizen_additions,
    hostile_cases.hearing_back,
    hostile_people.alerts,
    hostile_staff.reports,
    hostile_staff.corrections,
    hostile_staff.supervision,
    hostile_staff.finding_steps,
    hostile_staff.awards,
    hostile_staff.amendments,
    hostile_staff.cycle_candidates,
    hostile_people.verification,
    hostile_people.ratings,
    hostile_people.moderation,
    hostile_proposals.proposals,
    hostile_proposals.answers,
    hostile_people.sign_in,
    hostile_people.users_create,
)


@dataclass
class Run:
    store: str
    site: Site
    trials: Trials
    reader: ReadBack
    seconds: dict[str, float] = field(default_factory=dict)


def run_corpus(store: str, database_url: str, folder: Path, spec: PlanSpec) -> Run:
    seconds: dict[str, float] = {}
    started = time.monotonic()
    site = build(database_url, folder, spec)
    trials = Trials()
    try:
        for surface in SURFACES:
            surface(site, trials)
        seconds["submit"] = time.monotonic() - started
        reader = read_back(site, trials)
    except BaseException:
        site.services.close()  # no connection left for the garbage collector to complain of
        raise
    seconds["read back"] = time.monotonic() - started - seconds["submit"]
    return Run(store, site, trials, reader, seconds)


def figures_line(run: Run) -> str:
    figures = run.trials.figures()
    return (
        f"hostile text on {run.store}: {len(CORPUS)} entries, tried {figures['tried']}, "
        f"accepted {figures['accepted']}, refused (4xx) {figures['refused']}, "
        f"5xx {figures['5xx']} (answers 5xx anywhere: {len(run.site.errors)}), "
        f"lost {figures['lost']}; {run.site.requests} requests, "
        f"{sum(run.reader.kinds.values())} public answers read back"
    )


def figures_table(run: Run) -> str:
    """Per surface: tried / accepted / refused / 5xx / lost (a Markdown table)."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for trial in run.trials.all:
        rows[trial.surface][trial.outcome] += 1
        rows[trial.surface]["tried"] += 1
    rows["all"] = run.trials.figures()
    columns = ("tried", "accepted", "refused", "5xx", "lost")
    lines = [
        f"| surface ({run.store}) | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    lines += [
        f"| {name} | " + " | ".join(str(counts[c]) for c in columns) + " |"
        for name, counts in rows.items()
    ]
    return "\n".join(lines)
