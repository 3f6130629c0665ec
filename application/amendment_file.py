"""A YAML file of amendments of a registered plan (`flask plan amend FILE`), e.g.

    year: 2023
    amendments:
      - kind: target        # target | project_added | project_merged | project_withdrawn | units
        project: "9.1"
        target: 1                 # the project's first target
        amount: "250"
        basis: {number: 锡政办发〔2023〕40号, date: 2023-08-01}
        effective: 2023-08-01     # optional: the basis's date
        reason: 部分小区意见未统一
      - kind: units
        item: 9
        units: [市住房城乡建设局, 市财政局]
        basis: {number: 锡政办发〔2023〕40号, date: 2023-08-01}
        reason: 增列配合单位
      - kind: project_added
        item: 9
        title: 加装电梯试点
        targets: [{label: 试点电梯, amount: "20", unit: 台}]
        milestones: [完成方案]
        basis: ...
      - kind: project_merged     # project_withdrawn: no `into`
        project: "10.2"
        into: "10.1"
        ...

Each entry is checked by the domain's rules when it is recorded (in the file's order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from domain.plan_amendments import Basis, Change
from domain.plan_spec import Target


class AmendmentFileError(ValueError):
    """The file cannot be read as amendments: which entry and field."""


@dataclass(frozen=True)
class FileAmendment:
    change: Change
    basis: Basis
    reason: str
    effective: date | None


def read_amendments(path: Path) -> tuple[int, list[FileAmendment]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise AmendmentFileError(f"{path}: {error}") from error
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise AmendmentFileError(f"{path}: needs `year` (a number) and `amendments` (a list)")
    entries = data.get("amendments")
    if not isinstance(entries, list):
        raise AmendmentFileError(f"{path}: `amendments` must be a list")
    return data["year"], [_entry(path, n, e) for n, e in enumerate(entries, start=1)]


def _entry(path: Path, n: int, e: Any) -> FileAmendment:
    where = f"{path}: amendment {n}"
    if not isinstance(e, dict):
        raise AmendmentFileError(f"{where}: must be a mapping")
    try:
        basis = e["basis"]
        targets = tuple(
            Target(str(t["label"]), _decimal(t["amount"]), str(t["unit"]), bool(t.get("at_least")))
            for t in e.get("targets", [])
        )
        change = Change(
            str(e["kind"]),
            item=int(e["item"]) if e.get("item") is not None else None,
            project=str(e.get("project", "")),
            target=int(e.get("target", 1)) - 1,
            amount=_decimal(e["amount"]) if "amount" in e else None,
            into=str(e.get("into", "")),
            units=tuple(str(u) for u in e.get("units", [])),
            title=str(e.get("title", "")),
            text=str(e.get("text", "")),
            targets=targets,
            milestones=tuple(str(m) for m in e.get("milestones", [])),
        )
        return FileAmendment(
            change,
            Basis(str(basis["number"]), _date(basis["date"])),
            str(e["reason"]),
            _date(e["effective"]) if e.get("effective") else None,
        )
    except (KeyError, TypeError, ValueError, InvalidOperation) as error:
        raise AmendmentFileError(f"{where}: {error!r}") from error


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
