"""The corpus through what people type outside the case and report forms: verifying a
contact, rating with a comment, moderating it, signing in, and `flask users create`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import count
from urllib.parse import urlsplit

from minsheng_site.ratings.forms import CodeForm, ContactForm, RatingForm
from minsheng_site.staff.auth import LoginForm
from tests.hostile import CORPUS, Entry
from tests.reliability.hostile_intake import keeps
from tests.reliability.hostile_site import Site
from tests.reliability.hostile_trials import RECEIVES, Send, Sent, Trials, form_fields
from tests.web.staff_helpers import PASSWORD

HOME = "/plans/2023"


def _code_for(site: Site, address: str) -> str:
    outbox = site.get("public", "/dev/outbox").body
    found = re.findall(rf"<td>{re.escape(address)}</td><td[^>]*>[^<]*?(\d{{6}})", outbox)
    assert found, f"no code for {address} in the outbox"
    return found[0]


def _safe(site: Site, location: str) -> None:
    """A redirect after a hostile `next` stays on this site, on one line."""
    parts = urlsplit(location)
    if parts.scheme or parts.netloc or not location.startswith("/") or location.startswith("//"):
        site.errors.append(f"redirected off the site: {location!r}")
    if any(ch.isspace() or ord(ch) < 32 for ch in location):
        site.errors.append(f"a redirect with whitespace or a control: {location!r}")


def verification(site: Site, trials: Trials) -> None:
    """A contact is never a hostile entry, nor is a code: each field is tried alone, and one
    code serves a wrong guess (the entry) and then the hostile `next` that follows it."""
    people = count()

    def verify(values: Mapping[str, Entry]) -> Sent:
        data = {"contact": f"v{next(people)}@example.org", "next": HOME, **values}
        answer = site.post("verifier", "/ratings/verify", form_fields(data))
        if answer.status == 303:
            _safe(site, answer.location)
        return Sent.of(answer)

    def confirm(values: Mapping[str, Entry]) -> Sent:
        data = {"code": code["now"], "next": HOME, **values}
        answer = site.post("verifier", "/ratings/verify/code", form_fields(data))
        if answer.status == 303:
            _safe(site, answer.location)
        return Sent.of(answer)

    code = {"now": ""}
    for entry in CORPUS:
        trials.attempt("ratings.pages.verify", keeps(ContactForm, "contact"), entry, verify)
        trials.attempt("ratings.pages.verify", {"next": "none"}, entry, verify)
        address = f"c{next(people)}@example.org"
        sent = site.post("verifier", "/ratings/verify", form_fields({"contact": address}))
        assert sent.status == 303, "a valid address is sent a code"
        code["now"] = _code_for(site, address)
        trials.attempt("ratings.verify.code", keeps(CodeForm, "code"), entry, confirm)
        trials.attempt("ratings.verify.code", {"next": "none"}, entry, confirm)


def ratings(site: Site, trials: Trials) -> None:
    """One verified person rates a different project with each entry as the comment."""
    site.client("rater")
    address = "rater@example.org"
    assert site.post("rater", "/ratings/verify", form_fields({"contact": address})).status == 303
    proof = {"code": _code_for(site, address), "next": HOME}
    assert site.post("rater", "/ratings/verify/code", form_fields(proof)).status == 303
    projects = iter([p.number for p in site.spec.projects])
    current = {"ref": next(projects)}

    def send(values: Mapping[str, Entry]) -> Sent:
        ref = current["ref"]
        data = {"level": "satisfied", "district": "", **values}
        answer = site.post("rater", f"/plans/2023/projects/{ref}/rate", form_fields(data))
        if answer.status != 303:
            return Sent.of(answer)
        current["ref"] = next(projects)
        # approved below: then the project's page shows it to everyone
        return Sent(303, places=(("rater", "/ratings/mine"), ("public", f"{HOME}/projects/{ref}")))

    for entry in CORPUS:
        trials.attempt("ratings.rate", keeps(RatingForm, "comment"), entry, send)


def moderation(site: Site, trials: Trials) -> None:
    """A hostile form version on approving and rejecting; then every comment is approved
    (through the ledger: no text of its own), so that the public pages show them."""
    queue = site.get("task", "/staff/ratings/").body
    ballots = re.findall(r'action="/staff/ratings/([0-9a-f-]{36})/approve"', queue)
    assert ballots, "no comment waits for moderation"
    ballot = ballots[0]

    def act(action: str, prefix: str) -> Send:
        def send(values: Mapping[str, Entry]) -> Sent:
            fields = {"version": "x", "category": "abuse", **values}
            named = f"{prefix}{ballot[:8]}-"
            data = {f"{named}{k}": v for k, v in fields.items()}
            answer = site.post(
                "task", f"/staff/ratings/{ballot}/{action}", form_fields(data), named
            )
            said = site.flashes("task")
            return Sent.of(answer, refused="已记录。" not in said, explained=bool(said))

        return send

    for entry in CORPUS:
        trials.attempt("staff.ratings.approve", {"version": "none"}, entry, act("approve", "a"))
        trials.attempt("staff.ratings.reject", {"version": "none"}, entry, act("reject", "r"))
    for pending in ballots:
        version = site.ledger.ballot(pending).version
        site.ledger.approve_comment(pending, version, "gov.chen")
    site.services.caught_up()


def sign_in(site: Site, trials: Trials) -> None:
    def send(values: Mapping[str, Entry]) -> Sent:
        data = {"username": "gov.chen", "password": "not the password", **values}
        answer = site.post("stranger", "/staff/login", form_fields(data))
        return Sent.of(answer, refused=answer.status != 303)

    for entry in CORPUS:
        trials.attempt("staff.login", keeps(LoginForm, "username"), entry, send)


def users_create(site: Site, trials: Trials) -> None:
    """`flask users create NAME --name ...`: a shell hands undecodable bytes over as
    surrogate escapes, as Python decodes its arguments."""
    runner = site.app.test_cli_runner()
    for n, entry in enumerate(CORPUS):
        name = RECEIVES["cli"](entry)
        args = ["users", "create", f"hostile.{n}", "--name", name, "--password-stdin"]
        result = runner.invoke(args=args, input=PASSWORD + "\n")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            site.errors.append(f"users create --name <{entry.name}> raised {result.exception!r}")
            status = 500
        else:
            status = 200 if result.exit_code == 0 else 422
        said = Sent(status, explained=bool(result.output.strip()))
        trials.attempt("cli.users.create", {"--name": "line"}, entry, _given(said), "cli")
    listed = runner.invoke(args=["users", "list"]).output
    for trial in trials.all:
        if trial.surface == "cli.users.create" and trial.expect:
            trial.found = trial.expect in listed


def _given(sent: Sent) -> Send:
    """A submission already made (on the command line): its answer, whatever is asked."""
    return lambda _values: sent


def alerts(site: Site, trials: Trials) -> None:
    """The follow box: the address is structured (refused with a message, or taken and
    never shown: it is kept sealed), as is the topic (a hidden field: an unknown one is
    404, which says why); each accepted address gets a confirmation in the outbox."""
    people = count()
    topic = "project:2023:9.1"

    def follow(values: Mapping[str, Entry]) -> Sent:
        data = {"email": f"f{next(people)}@example.org", "frequency": "daily", "topic": topic}
        answer = site.post("citizen", "/alerts/follow", form_fields({**data, **values}))
        return Sent.of(answer)

    for entry in CORPUS:
        trials.attempt("alerts.pages.follow", {"email": "none"}, entry, follow)
        trials.attempt("alerts.pages.follow", {"topic": "none"}, entry, follow)
