"""The hostile text corpus (tests/hostile.py) through every text field, then read back.

Once per store: every entry of the corpus goes into every text field of every
form, the intake API, `flask cases import` and `flask users create --name`
(tests/reliability/hostile_*.py drive them); then every public page kind, every
case page, the feeds in Atom and RSS, the CSV downloads, Open311 XML, the log
and /healthz are read back (hostile_readback.py). Each answer must be a 2xx/3xx
or a 4xx that says why — never a 5xx; no page may run a payload; what was
accepted must come back; ordinary Chinese comes back unchanged; no name or
phone of the corpus runs reaches public output; no read model stops.

A form with a text field that no surface here fills fails the coverage test:
add the field to its surface (or the form to FORMS) when you add one.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from wtforms import PasswordField, StringField

import minsheng_site
from domain.plan_spec import PlanSpec
from minsheng_site.cases.intake import Ticket
from minsheng_site.form_base import Form
from minsheng_site.plans.forms import Correction, NewReport, filing_form
from minsheng_site.supervision.forms import supervision_form
from tests.conftest import BACKENDS, new_database
from tests.hostile import CHINESE, CORPUS
from tests.reliability.hostile_intake import CSV_COLUMNS
from tests.reliability.hostile_run import Run, figures_line, figures_table, run_corpus

pytestmark = pytest.mark.slow

# Each form, by class name, and the surfaces that must try every entry in each of its text
# fields (a form used by several steps is tried through each of them).
FORMS: dict[str, tuple[str, ...]] = {
    "CaseForm": ("cases.pages.new",),
    "CitizenCaseForm": ("cases.pages.new",),
    "HotlineCaseForm": ("staff.cases.new",),
    "LookupForm": ("cases.pages.lookup",),
    "EvaluationForm": ("cases.pages.mine",),
    "DeclineForm": ("staff.cases.decline",),
    "AssignForm": ("staff.cases.assign",),
    "TrackForm": (),  # a choice, no text
    "EmptyForm": (),  # a button
    "TextForm": ("staff.cases.reply",),
    "ReplyForm": ("staff.cases.reply",),
    "CaseNoteForm": ("cases.pages.add_note",),
    "CasePhotosForm": (),  # photos and a box to tick, no text
    "WithdrawForm": ("cases.pages.withdraw",),
    "DecideForm": (),  # a photo's moderation: a choice, no text
    "NoteForm": ("staff.cases.note",),
    "MergeForm": ("staff.cases.merge",),
    "LinkForm": ("staff.cases.link",),
    "RedactForm": ("staff.cases.redact",),
    "FilingFields": ("plans.reporting.report", "plans.reporting.correct"),
    "NewReport": ("plans.reporting.report",),
    "Correction": ("plans.reporting.correct",),
    "SupervisionForm": ("staff.supervision",),
    "SupervisionRecordForm": ("staff.supervision",),
    "StepForm": ("staff.findings.rectify", "staff.findings.close", "staff.findings.reopen"),
    "DecisionForm": ("staff.awards.nominate",),
    "ApproveForm": ("staff.ratings.approve",),
    "RejectForm": ("staff.ratings.reject",),
    "LoginForm": ("staff.login",),
    "ContactForm": ("ratings.pages.verify",),
    "CodeForm": ("ratings.verify.code",),
    "RatingForm": ("ratings.rate",),
    "CodeAgainForm": ("cases.pages.code_again",),
    "FixCheckForm": ("cases.pages.fixed",),
    "FollowForm": ("alerts.pages.follow",),
    "AmendmentForm": ("staff.amendments.new",),
    "ConversionForm": ("cycle.conversion",),
    "CandidateForm": ("cycle.candidate",),
    "CandidateWords": ("cycle.candidate", "cycle.candidate_correction"),
    "CandidateCorrectionForm": ("cycle.candidate_correction",),
    "VoteFields": ("cycle.vote",),
    "VoteForm": ("cycle.vote",),
    "VoteCorrectionForm": ("cycle.vote_correction",),
    "ProposalForm": ("cycle.proposals.new",),
    "ProposalSupportForm": (),  # a button
    "SolicitationOpenForm": (),  # a date
    "SolicitationCloseForm": (),  # a button
    "ProposalApproveForm": ("staff.proposals.approve",),
    "ProposalRejectForm": (),  # a choice, no text
    "ProposalAdoptForm": ("staff.proposals.adopt",),
    "ProposalMergeForm": ("staff.proposals.merge",),
    "ProposalDeclineForm": ("staff.proposals.decline",),
}
# Fields that take a reference, a number, a contact or a redirect target rather than prose:
# ordinary Chinese may be refused there (with a message).
STRUCTURED = {
    "phone", "website", "external_id", "received_on", "category", "district", "consent",
    "into", "project", "number", "code", "contact", "next", "username", "candidate",
    "version", "expected_version", "evidence", "lead_unit", "co_units", "submission",
    "email", "topic", "amount", "target_amount", "numbers", "unit", "sources", "targets",
    "units", "document_url",
    *(f"finding-{n}-projects" for n in range(3)),
}  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, plan_spec: PlanSpec
) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("hostile")
    done = run_corpus(
        request.param, new_database(request.param, request, folder), folder, plan_spec
    )
    yield done
    done.site.services.close()


def text_fields_of_every_form(app: Flask) -> dict[str, set[str]]:
    """Every Form subclass of the site (and those its factories build), by class name: its
    text fields (StringField and its kinds: text areas, hidden fields; not passwords)."""
    for module in pkgutil.walk_packages(minsheng_site.__path__, "minsheng_site."):
        importlib.import_module(module.name)
    found: dict[str, set[str]] = defaultdict(set)
    with app.test_request_context():
        built = [supervision_form(), filing_form(NewReport, ()), filing_form(Correction, ())]
        for form in [kind() for kind in _subclasses(Form)] + built:
            found[type(form).__name__] |= {
                f.name
                for f in form
                if isinstance(f, StringField)
                and not isinstance(f, PasswordField)
                and f.name != "csrf_token"
            }
    return found


def _subclasses(kind: type) -> list[type]:
    subs: list[type] = kind.__subclasses__()
    return [s for sub in subs for s in (sub, *_subclasses(sub))]


def _first(items: list[str], n: int = 25) -> str:
    return "\n".join(items[:n]) + (f"\n… and {len(items) - n} more" if len(items) > n else "")


def test_every_text_field_of_every_form_and_the_intake_gets_every_entry(run: Run) -> None:
    covered = Counter((t.surface, t.field) for t in run.trials.all)
    forms = text_fields_of_every_form(run.site.app)
    unknown = sorted(set(forms) - set(FORMS))
    assert not unknown, f"forms the hostile corpus does not reach: {unknown} (add them to FORMS)"
    missing = [
        f"{form}.{name} via {surface}"
        for form, names in forms.items()
        for surface in FORMS[form]
        for name in sorted(names)
        if covered[(surface, name)] != len(CORPUS)
    ]
    assert set(Ticket.model_fields) == set(CSV_COLUMNS)  # a CSV column per ticket field
    missing += [
        f"{surface}.{name}"
        for surface in ("api.cases", "cli.cases.import")
        for name in CSV_COLUMNS
        if covered[(surface, name)] != len(CORPUS)
    ]
    assert not missing, "text fields not tried with every entry:\n" + _first(missing)


def test_no_answer_is_a_server_error(run: Run) -> None:
    assert not run.site.errors, _first(run.site.errors, 10)


def test_every_refusal_says_why(run: Run) -> None:
    assert not run.trials.unexplained(), _first(run.trials.unexplained())


def test_no_page_runs_a_payload(run: Run) -> None:
    # every HTML answer, submissions' included (a refused form shows what was typed)
    assert not run.site.unsafe, _first(run.site.unsafe)
    assert not run.reader.problems["unescaped"], _first(run.reader.problems["unescaped"])


def test_every_accepted_text_comes_back(run: Run) -> None:
    assert not run.trials.where("lost"), _first(run.trials.where("lost"))


def test_ordinary_chinese_is_taken_and_comes_back_unchanged(run: Run) -> None:
    prose = [t for t in run.trials.all if t.entry is CHINESE and t.field not in STRUCTURED]
    fields = {(t.surface, t.field) for t in run.trials.all if t.field not in STRUCTURED}
    assert len(prose) == len(fields) > 30  # once in each prose field
    wrong = [f"{t.surface}.{t.field}: {t.outcome} {t.expect!r}" for t in prose]
    wrong = [w for w, t in zip(wrong, prose, strict=True) if t.outcome != "accepted"]
    assert not wrong, _first(wrong)
    assert {t.expect for t in prose} == {CHINESE.text}


def test_read_models_neither_stop_nor_lag(run: Run) -> None:
    assert not run.reader.problems["health"], _first(run.reader.problems["health"])


def test_no_name_or_phone_of_the_corpus_runs_is_public(run: Run) -> None:
    assert not run.reader.problems["personal data"], _first(run.reader.problems["personal data"])


@pytest.mark.parametrize(
    "kind", ["status", "feeds", "csv", "xml", "log", "characters"], ids=lambda k: k
)
def test_everything_public_reads_back(run: Run, kind: str) -> None:
    """Every page answers; feeds parse without bozo; every CSV row parses and no cell is a
    formula; Open311 XML parses; every log line is JSON; no character XML cannot carry."""
    assert not run.reader.problems[kind], _first(run.reader.problems[kind])


def test_figures(run: Run, capsys: pytest.CaptureFixture[str], record_property: Any) -> None:
    """The figures the issue quotes: tried / refused (4xx) / 5xx / lost, per store."""
    record_property("hostile_figures", figures_line(run))
    with capsys.disabled():
        print(f"\n{figures_line(run)}\n{figures_table(run)}")
    figures = run.trials.figures()
    assert figures["tried"] == sum(figures[k] for k in ("accepted", "refused", "5xx", "lost"))
