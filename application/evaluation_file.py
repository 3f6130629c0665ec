"""Reading a year's evaluation formula (plans/<year>/evaluation.yaml) into a `Formula`."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from domain.evaluation import COMPONENTS, Formula

PLANS = Path(__file__).resolve().parent.parent / "plans"


class AwardModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    kind: Literal["project", "case"]
    track: Literal["weixingfu", "shizhang"] | None = None
    places: int = Field(ge=1, le=100)


class FormulaModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    as_of: date
    minimum_ratings: int = Field(ge=1)
    weights: dict[Literal["completion", "timeliness", "findings", "satisfaction"], int]
    awards: dict[str, AwardModel]


class FormulaFileError(ValueError):
    pass


@functools.lru_cache(maxsize=32)
def load_formula(year: int, folder: Path = PLANS) -> Formula | None:
    """The year's formula, or None when the year has no evaluation file.

    Read once per process (pages ask on every request): a changed file takes
    effect when the site restarts.
    """
    path = folder / str(year) / "evaluation.yaml"
    if not path.exists():
        return None
    try:
        model = FormulaModel.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        formula = Formula(
            weights={k: model.weights[k] for k in COMPONENTS if k in model.weights},
            minimum_ratings=model.minimum_ratings,
            as_of=model.as_of,
            awards={k: a.model_dump() for k, a in model.awards.items()},
        )
    except (yaml.YAMLError, ValidationError, ValueError) as error:
        raise FormulaFileError(f"{path}: {error}") from error
    return formula
