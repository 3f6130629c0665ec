"""The domain stays pure: the standard library and eventsourcing.domain, nothing else."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
ALLOWED = {"domain", "eventsourcing.domain", "__future__"}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_domain_modules_import_only_the_standard_library_and_eventsourcing_domain() -> None:
    offending = {}
    for path in sorted(DOMAIN.glob("*.py")):
        bad = {
            name
            for name in imports(path)
            if name.split(".")[0] not in sys.stdlib_module_names
            and not any(name == a or name.startswith(a + ".") for a in ALLOWED)
        }
        if bad:
            offending[path.name] = sorted(bad)
    assert offending == {}
