"""Bearer API keys: every route but the health check and the API docs needs one."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.middleware.base import DefineMiddleware

from service.errors import Unauthorized
from service.public_paths import PUBLIC_PATTERNS
from storage.key_cache import KeyCache
from storage.keys import Workspace

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="drafta"'}


class BearerKeyMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, key = header.partition(" ")
        if not header:
            raise Unauthorized(
                "an API key is required: Authorization: Bearer KEY", headers=CHALLENGE
            )
        if scheme.lower() != "bearer" or not key.strip():
            raise Unauthorized(
                "malformed Authorization header: use Authorization: Bearer KEY", headers=CHALLENGE
            )
        keys: KeyCache = connection.app.state.key_cache
        workspace = keys.authenticate(key.strip())
        if workspace is None:
            raise Unauthorized("unknown or revoked API key", headers=CHALLENGE)
        return AuthenticationResult(user=workspace, auth=key.partition(".")[0])


auth_middleware = DefineMiddleware(BearerKeyMiddleware, exclude=PUBLIC_PATTERNS)


def workspace_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Workspace:
    user = connection.scope.get("user")
    assert isinstance(user, Workspace), "route is not behind the key middleware"
    return user
