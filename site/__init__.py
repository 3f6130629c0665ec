"""The web layer (imported as `minsheng_site`): the Flask app factory and its blueprints."""

from minsheng_site.app import create_app

__all__ = ["create_app"]
