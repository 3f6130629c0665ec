"""Every projection (and the public log's deriver) dispatches events by their class, in one
style: a `singledispatchmethod` whose handlers are annotated with their event class. What a
projection selects from the log is what it registered, so adding a handler is enough.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types
import typing
from pathlib import Path

from eventsourcing.domain import DomainEvent
from eventsourcing.utils import get_topic

import projections
from domain.cases import Case
from projections.cases.cases import Cases
from projections.projection import Projection, RawProjection, handled, topics_of
from projections.publiclog.public_entries import Deriver
from projections.publiclog.public_log import PublicLog

FOLDER = Path(projections.__file__).parent
MODULES = [
    importlib.import_module(m.name)
    for m in pkgutil.walk_packages(projections.__path__, "projections.")
]


def _projection_classes() -> list[type[Projection]]:
    return [
        cls
        for module in MODULES
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, Projection)
        and cls.__module__ == module.__name__
        and cls is not Projection
        and not issubclass(cls, RawProjection)
    ]


def _annotated_with(method: typing.Any, event_class: type) -> bool:
    hints = typing.get_type_hints(method)
    first = next(iter(hints.values()))  # the event: the argument dispatched on
    members = typing.get_args(first) if isinstance(first, types.UnionType) else (first,)
    return event_class in members


def test_every_handler_is_registered_for_the_event_class_it_is_annotated_with() -> None:
    owners: list[tuple[type, str]] = [(cls, cls.dispatch) for cls in _projection_classes()]
    owners = [o for o in owners if o[0] is not PublicLog] + [(Deriver, "derive")]
    assert len(owners) >= 9  # 8 read models and the deriver today
    for owner, name in owners:
        classes = handled(owner, name)
        assert classes, f"{owner.__name__} registers no handler"
        dispatcher = vars(owner)[name].dispatcher
        for event_class in classes:
            assert issubclass(event_class, DomainEvent), (owner, event_class)
            assert _annotated_with(dispatcher.registry[event_class], event_class), (
                owner,
                event_class,
            )


def test_no_projection_takes_an_event_typed_any() -> None:
    untyped = []
    for path in sorted(FOLDER.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for arg in node.args.args:
                    annotation = ast.unparse(arg.annotation) if arg.annotation else "Any"
                    if arg.arg in ("e", "event") and annotation == "Any":
                        untyped.append(f"{path.name}:{node.lineno} {node.name}")
    assert untyped == []


def test_a_projection_selects_the_topics_of_what_it_handles_and_of_their_subclasses() -> None:
    case_events = {get_topic(cls) for cls in vars(Case).values() if isinstance(cls, type)}
    case_events &= {get_topic(cls) for cls in Case.Event.__subclasses__()}
    # The cases read model handles Case.Event: every case event, of today and to come.
    assert case_events <= set(Cases(opener=None).topics())  # type: ignore[arg-type]
    assert case_events <= set(PublicLog().topics())
    assert PublicLog().topics() == topics_of(handled(Deriver, "derive"))
