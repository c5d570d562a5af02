"""The Litestar application factory. Resources open in the lifespan, never at import."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import version

from litestar import Litestar, get
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from pipeline import freeze_startup_objects
from pipeline.warm import warm
from service import cluster
from service.auth import auth_middleware
from service.controllers.data import DataController, WebhookSettingsController
from service.controllers.groups import GroupController
from service.controllers.preview import PreviewController
from service.controllers.projects import ProjectController
from service.controllers.providers import ProviderController
from service.controllers.types import TypesController
from service.database import open_database
from service.deps import DEPENDENCIES
from service.dto import Health
from service.errors import internal_error, problem_plugin
from service.openapi import ProblemDocsPlugin
from service.public_paths import DOCS, HEALTH
from service.ratelimit import rate_limit_middleware
from service.runner import JobRunner
from service.settings import Settings, load_settings
from service.web import docs_render_plugins, web_routers
from service.webhooks.sender import WebhookSender
from storage.key_cache import KeyCache

VERSION = version("drafta")
log = logging.getLogger("drafta")


@get(HEALTH, tags=["service"], summary="Liveness check (no key needed)")
async def health() -> Health:
    return Health(status="ok", version=VERSION)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        db = open_database(settings)
        app.state.db = db
        app.state.key_cache = KeyCache(db)
        app.state.settings = settings
        executor = await cluster.open_executor(settings)
        sender = WebhookSender(db, settings)
        runner = JobRunner(db, settings, executor, sender)
        app.state.runner = runner
        sending = asyncio.create_task(sender.run(), name="webhooks")
        # Previews and schema checks run here too: the first of them should not wait for
        # the mimesis catalogue.
        warm()
        freeze_startup_objects()
        resumed = runner.resume_all()
        if resumed:
            log.info("resumed %d unfinished job(s)", resumed)
        try:
            yield
        finally:
            await runner.close()
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
            await sender.close()
            await executor.close()
            db.close()
            gc.unfreeze()

    return Litestar(
        route_handlers=[
            health,
            GroupController,
            ProjectController,
            ProviderController,
            DataController,
            WebhookSettingsController,
            PreviewController,
            TypesController,
            *web_routers(),
        ],
        lifespan=[lifespan],
        middleware=[
            auth_middleware,
            rate_limit_middleware(settings.rate_limit),
        ],
        plugins=[problem_plugin, ProblemDocsPlugin()],
        exception_handlers={Exception: internal_error},
        dependencies=DEPENDENCIES,
        request_max_body_size=settings.max_body,
        openapi_config=OpenAPIConfig(
            title="Drafta",
            version=VERSION,
            description="Realistic, related synthetic data from a schema, at any size.",
            path=DOCS,
            # Served from this service: the docs render without internet access.
            render_plugins=docs_render_plugins(),
            components=Components(
                security_schemes={
                    "apiKey": SecurityScheme(type="http", scheme="bearer", description="API key")
                }
            ),
        ),
    )
