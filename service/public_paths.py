"""The routes anyone may call without an API key: the health check and the API docs.

Authentication, the rate limiter and the OpenAPI document all read this one list.
"""

from __future__ import annotations

HEALTH = "/health"  # exactly this path
DOCS = "/schema"  # this path and everything under it

# As regular expressions, for Litestar's middleware ``exclude``.
PUBLIC_PATTERNS = [f"^{HEALTH}$", f"^{DOCS}"]


def is_public(path: str) -> bool:
    return path == HEALTH or path.startswith(DOCS)
