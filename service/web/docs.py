"""The OpenAPI viewers (Scalar, Swagger UI), loading their assets from this service."""

from __future__ import annotations

from litestar.openapi.plugins import OpenAPIRenderPlugin, ScalarRenderPlugin, SwaggerRenderPlugin

VENDOR = "/static/vendor"
FAVICON = "<link rel='icon' type='image/svg+xml' href='/static/favicon.svg'>"


def docs_render_plugins() -> list[OpenAPIRenderPlugin]:
    return [
        ScalarRenderPlugin(
            path="/",
            js_url=f"{VENDOR}/scalar/standalone.js",
            css_url="/static/docs.css",
            favicon=FAVICON,
            # Its default fonts come from its makers' servers; the page works without them.
            options={"withDefaultFonts": False},
        ),
        SwaggerRenderPlugin(
            path="/swagger",
            js_url=f"{VENDOR}/swagger-ui/swagger-ui-bundle.js",
            css_url=f"{VENDOR}/swagger-ui/swagger-ui.css",
            standalone_preset_js_url=f"{VENDOR}/swagger-ui/swagger-ui-standalone-preset.js",
            favicon=FAVICON,
        ),
    ]
