"""Every asset of the web app and of the API docs is served by the service, as recorded."""

from __future__ import annotations

import hashlib
import re

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import ROOT

WEB = ROOT / "service" / "web"
VENDOR = WEB / "static" / "vendor"
DIGEST_RE = re.compile(r"^([0-9a-f]{64})  (\S+)$", re.M)
ASSET_RE = re.compile(r"""(?:src|href)=["'](/[^"']+)["']""")


def test_vendored_files_are_the_recorded_ones() -> None:
    recorded = dict(
        (path, digest) for digest, path in DIGEST_RE.findall((VENDOR / "README.md").read_text())
    )
    present = {str(p.relative_to(VENDOR)) for p in VENDOR.rglob("*") if p.suffix in (".js", ".css")}
    assert set(recorded) == present
    for path, digest in recorded.items():
        assert hashlib.sha256((VENDOR / path).read_bytes()).hexdigest() == digest, path


def test_pages_name_no_other_host() -> None:
    for path in [*(WEB / "templates").glob("*.html"), *(WEB / "static").glob("app.*")]:
        assert not re.search(r"(src|href|url)\s*[=(]\s*[\"']?https?://", path.read_text()), path


def test_the_docs_load_their_viewers_from_this_service(client: TestClient[Litestar]) -> None:
    for path in ("/schema", "/schema/swagger"):
        page = client.get(path).text
        assets = ASSET_RE.findall(page)
        assert any(a.endswith(".js") for a in assets), path
        assert "http://" not in page.replace('xmlns="http://', "") and "https://" not in page
        for asset in assets:
            if not asset.startswith("/schema"):
                assert client.get(asset).status_code == 200, asset


def test_the_app_is_served_at_the_root(client: TestClient[Litestar]) -> None:
    answer = client.get("/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/app/sign-in"
    page = client.get("/app/sign-in").text
    for asset in ASSET_RE.findall(page):
        assert client.get(asset).status_code == 200, asset


def test_the_openapi_document_is_only_the_api(client: TestClient[Litestar]) -> None:
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert "/project-group" in paths
    assert not [p for p in paths if p == "/" or p.startswith(("/app", "/static"))]
