"""The web app: server-rendered pages over the same use cases as the JSON API.

``web_routers()`` gives the routes to mount; ``docs_render_plugins()`` points the OpenAPI viewers at
the copies of their scripts this service serves (see static/vendor/README.md).
"""

from __future__ import annotations

from service.web.docs import docs_render_plugins
from service.web.routes import web_routers

__all__ = ["docs_render_plugins", "web_routers"]
