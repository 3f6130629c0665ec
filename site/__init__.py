"""The web layer (imported as `minsheng_site`): the Flask app factory and its blueprints.

`create_app` is imported on first use, not with the package: the `projections`
worker (minsheng_site.worker) and the composition root run without Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minsheng_site.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from minsheng_site.app import create_app

        return create_app
    raise AttributeError(f"module 'minsheng_site' has no attribute {name!r}")
