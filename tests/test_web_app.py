"""The web app in a real Chromium, driven as a person would: by role and label.

One ``drafta serve`` and one browser serve the whole module; each test has its own browser
context (cookies) and fails on any console error of its pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.database import open_database
from service.settings import load_settings
from storage.keys import create_key
from tests.browser import DESKTOP, PHONE, Console, launch, needs_chromium, screenshot
from tests.live import LiveServer

pytestmark = needs_chromium

if needs_chromium.args[0]:  # no browser: nothing below can run, not even its imports
    pytest.skip("no Chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect  # noqa: E402

SHOP = """\
version: 1
entities:
  Customer:
    count: 50
    fields:
      id: {type: sequence}
      name: person.full_name
      tier: {type: choice, values: [free, pro]}
  Order:
    fields:
      id: {type: uuid}
      customer_id: {type: reference, entity: Customer}
      amount: {type: float, min: 1, max: 100, decimals: 2}
"""
BROKEN = SHOP.replace("{type: choice, values: [free, pro]}", "{type: nope}")
SQL = "CREATE TABLE city (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL);"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("web") / "home"
    live = LiveServer(home, env={"DRAFTA_WORKERS": "1", "DRAFTA_DASHBOARD_ADDRESS": ":0"})
    yield live.start()
    live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    yield from launch()  # type: ignore[misc]


def _open(browser: Browser, server: LiveServer, viewport: dict[str, int]) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, viewport=viewport)  # type: ignore[arg-type]
    page = context.new_page()
    console = Console()
    console.listen(page)
    yield page
    context.close()
    assert console.errors == []


@pytest.fixture
def page(browser: Browser, server: LiveServer) -> Iterator[Page]:
    yield from _open(browser, server, DESKTOP)


@pytest.fixture
def phone(browser: Browser, server: LiveServer) -> Iterator[Page]:
    yield from _open(browser, server, PHONE)


@pytest.fixture
def no_script(browser: Browser, server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=server.url, viewport=DESKTOP, java_script_enabled=False)  # type: ignore[arg-type]
    yield context.new_page()
    context.close()


def api(server: LiveServer, key: str | None = None) -> httpx.Client:
    return httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {key or server.key}"}, timeout=30
    )


def sign_in(page: Page, key: str) -> None:
    page.goto("/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()


def go(page: Page, where: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=where).click()


def section(page: Page, heading: str) -> Any:
    """The card under a heading, where labels repeat across a page (Name, Format, ...)."""
    return page.locator("section", has=page.get_by_role("heading", name=heading, exact=True))


def new_project(page: Page, group: str, name: str) -> str:
    go(page, "Projects")
    section(page, "New group").get_by_label("Name").fill(group)
    section(page, "New group").get_by_role("button", name="Create group").click()
    expect(page.get_by_role("heading", name=group)).to_be_visible()
    form = section(page, "New project")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Group").select_option(label=group)
    form.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    return page.url.rsplit("/", 1)[1]


def workspace_key(server: LiveServer, workspace: str) -> str:
    """A key of another workspace, made as `drafta keys create --workspace` makes it."""
    db = open_database(load_settings({}, home=str(server.home)))
    try:
        return create_key(db, workspace).key
    finally:
        db.close()


def save_schema(page: Page, text: str) -> None:
    page.get_by_label("Schema", exact=True).fill(text)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Schema saved.")).to_be_visible()


def test_a_wrong_key_is_refused_without_a_trace(page: Page) -> None:
    page.goto("/")
    page.get_by_label("API key").fill("dft_nothing.wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That API key is unknown or revoked.")
    assert "Traceback" not in page.content()
    screenshot(page, "sign-in")


def test_sign_in_and_out_with_the_keyboard_alone(page: Page, server: LiveServer) -> None:
    page.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("API key")).to_be_focused()
    page.keyboard.type(str(server.key))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    for name in ("Projects", "Providers", "Jobs", "Settings"):
        expect(nav.get_by_role("link", name=name)).to_be_visible()
    page.get_by_role("button", name="Sign out").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("API key")).to_be_visible()
    page.goto("/app/projects")
    expect(page).to_have_url(re.compile(r"/app/sign-in$"))


def test_an_empty_workspace_says_what_to_do_on_every_list(page: Page, server: LiveServer) -> None:
    sign_in(page, workspace_key(server, "empty"))
    expect(page.get_by_text("No projects yet.")).to_be_visible()
    screenshot(page, "projects-empty")
    go(page, "Jobs")
    expect(page.get_by_text("No jobs yet.")).to_be_visible()
    go(page, "Providers")
    expect(page.get_by_text("No providers yet.")).to_be_visible()


def test_the_schema_editor_indents_with_tab_and_lets_the_keyboard_leave(
    page: Page, server: LiveServer
) -> None:
    sign_in(page, str(server.key))
    new_project(page, "keys", "typed")
    editor = page.get_by_label("Schema", exact=True)
    editor.focus()
    page.keyboard.type("version: 1")
    page.keyboard.press("Tab")
    expect(editor).to_have_value("version: 1  ")
    expect(editor).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save")).to_be_focused()


def test_the_session_cookie_is_http_only_and_same_site(page: Page, server: LiveServer) -> None:
    sign_in(page, str(server.key))
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "drafta_session"]
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert str(server.key) not in cookie["value"]
    storage = page.evaluate("JSON.stringify(window.localStorage)")
    assert storage == "{}"


def test_a_schema_is_written_checked_saved_and_seen_by_the_api(
    page: Page, server: LiveServer
) -> None:
    sign_in(page, str(server.key))
    project_id = new_project(page, "shop", "orders")
    editor = page.get_by_label("Schema", exact=True)
    # Errors show with their line while typing, and the line is marked in the editor.
    editor.fill(BROKEN)
    expect(page.locator("#schema-problems")).to_contain_text("line 8: unknown type 'nope'")
    expect(page.locator(".gutter .bad")).to_have_text("8")
    # On save too, and nothing typed is lost.
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("line 8: unknown type 'nope'")
    expect(page.get_by_label("Schema", exact=True)).to_have_value(BROKEN)
    save_schema(page, SHOP)
    with api(server) as client:
        assert client.get(f"/project/{project_id}").json()["data"] == SHOP
        assert client.get("/project/shop/orders").json()["id"] == project_id
    # The diagram draws both entities and the reference between them.
    diagram = page.locator("#diagram svg")
    expect(diagram.get_by_text("Customer", exact=True)).to_be_visible()
    expect(diagram.get_by_text("customer_id → Customer")).to_be_visible()
    expect(diagram.locator("line.reference")).to_have_count(1)
    # Preview: the first rows of a chosen entity, as a table that follows valid edits.
    page.get_by_label("Entity to preview").select_option("Customer")
    page.get_by_role("button", name="Preview").click()
    table = page.locator("#preview table")
    expect(table.get_by_role("columnheader")).to_have_text(["id", "name", "tier"])
    expect(table.locator("tbody tr")).to_have_count(10)
    screenshot(page, "project")
    first_name = table.locator("tbody tr").first.locator("td").nth(1).inner_text()
    page.get_by_label("Schema", exact=True).fill(SHOP.replace("      tier:", "      level:"))
    expect(table.get_by_role("columnheader")).to_have_text(["id", "name", "level"])
    # The same seed: an edit does not reshuffle the rows of the other fields.
    expect(table.locator("tbody tr").first.locator("td").nth(1)).to_have_text(first_name)


def test_import_shows_the_yaml_it_made(page: Page, server: LiveServer) -> None:
    sign_in(page, str(server.key))
    new_project(page, "imports", "cities")
    importer = section(page, "Import")
    importer.get_by_label("Format").select_option(label="SQL")
    importer.get_by_label("Source").fill(SQL)
    importer.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status").filter(has_text="Imported from SQL")).to_be_visible()
    made = page.get_by_label("Schema", exact=True).input_value()
    assert "city:" in made and "name:" in made
    # An uploaded file works the same way.
    importer = section(page, "Import")
    importer.get_by_label("Format").select_option(label="SQL")
    importer.get_by_label("Or a file").set_input_files(
        files=[
            {
                "name": "shop.sql",
                "mimeType": "text/plain",
                "buffer": SQL.replace("city", "town").encode(),
            }
        ]
    )
    expect(importer.get_by_label("Source")).to_have_value(SQL.replace("city", "town"))
    importer.get_by_role("button", name="Import").click()
    expect(page.get_by_label("Schema", exact=True)).to_have_value(re.compile(r"town:"))
    # A bad source says where, and keeps what was pasted.
    importer = section(page, "Import")
    importer.get_by_label("Format").select_option(label="JSON Schema")
    importer.get_by_label("Source").fill("{not json")
    importer.get_by_role("button", name="Import").click()
    expect(page.get_by_role("alert")).to_contain_text("Not imported")
    expect(section(page, "Import").get_by_label("Source")).to_have_value("{not json")


def test_import_lists_what_it_skipped(page: Page, server: LiveServer) -> None:
    sign_in(page, str(server.key))
    new_project(page, "imports-warned", "viewed")
    importer = section(page, "Import")
    importer.get_by_label("Format").select_option(label="SQL")
    importer.get_by_label("Source").fill(f"{SQL}\nCREATE VIEW big AS SELECT id FROM city;\n")
    importer.get_by_role("button", name="Import").click()
    warnings = page.get_by_role("list", name="Import warnings")
    expect(warnings).to_have_text(
        "line 2: skipped CREATE VIEW big: not about tables, types, keys or constraints"
    )


def test_a_provider_of_records_is_made_and_shown_back_as_json(
    page: Page, server: LiveServer
) -> None:
    sign_in(page, workspace_key(server, "records"))
    go(page, "Providers")
    form = section(page, "New provider")
    form.get_by_label("Name").fill("cities")
    form.get_by_label("Values").fill(
        '[{"city": "Lyon", "zip": "69001"}, {"city": "Nice", "zip": "06000"}]'
    )
    form.get_by_role("button", name="Create provider").click()
    page.get_by_role("link", name="cities").click()
    expect(page.get_by_label("Values")).to_have_value(
        '[{"city": "Lyon", "zip": "69001"}, {"city": "Nice", "zip": "06000"}]'
    )
    # Records of other keys are refused with the item at fault.
    page.get_by_label("Values").fill('[{"city": "Lyon"}, {"town": "Nice"}]')
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("values[1]")


def test_generate_follows_the_job_and_downloads_its_file(page: Page, server: LiveServer) -> None:
    sign_in(page, str(server.key))
    new_project(page, "gen", "people")
    save_schema(page, SHOP)
    generate = section(page, "Generate")
    generate.get_by_label("Entity").select_option("Customer")
    generate.get_by_label("Rows").fill("2500")
    generate.get_by_label("Format").select_option("csv")
    generate.get_by_label("Seed").fill("7")
    generate.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("heading", name="Customer: 2,500 rows as csv")).to_be_visible()
    # The status moves on its own, without a reload.
    expect(page.locator("#job-status")).to_have_text("completed", timeout=60_000)
    expect(page.locator("#job-rows")).to_have_text("2,500 of 2,500")
    expect(page.locator("#job-rate")).to_contain_text("rows/s")
    expect(page.locator("#job-elapsed")).to_have_text(re.compile(r"\d s$"))
    expect(page.get_by_label("Progress")).to_have_attribute("value", "2500")
    expect(page.get_by_role("button", name="Cancel")).to_be_hidden()
    screenshot(page, "job")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    lines = Path(download.value.path()).read_text().splitlines()
    assert lines[0] == "id,name,tier" and len(lines) == 2501
    go(page, "Jobs")
    row = page.get_by_role("row").nth(1)
    expect(row).to_contain_text("Customer")
    expect(row).to_contain_text("2,500")
    expect(row).to_contain_text("csv")
    expect(row).to_contain_text("completed")
    screenshot(page, "jobs")
    job_id = row.get_by_role("link").inner_text()
    row.get_by_role("link").click()
    page.get_by_role("button", name="Delete job").click()
    expect(page.get_by_role("link", name=job_id)).to_have_count(0)
    with api(server) as client:
        assert all(not j["id"].startswith(job_id) for j in client.get("/data").json())


def test_a_job_of_several_entities_has_a_download_per_entity(
    page: Page, server: LiveServer
) -> None:
    sign_in(page, str(server.key))
    project_id = new_project(page, "both", "shop-all")
    save_schema(page, SHOP.replace("  Order:\n", "  Order:\n    count: 120\n"))
    with api(server) as client:
        answer = client.post(f"/data/{project_id}", json={"entities": "*", "format": "csv"})
    assert answer.status_code == 202, answer.text
    page.goto(f"/app/jobs/{answer.json()['id']}")
    expect(page.get_by_role("heading", name="Customer, Order: 170 rows as csv")).to_be_visible()
    expect(page.locator("#job-status")).to_have_text("completed", timeout=60_000)
    expect(page.get_by_role("link", name="Download", exact=True)).to_have_count(0)
    for entity, header, rows in (("Customer", "id,name,tier", 50), ("Order", "id,", 120)):
        link = page.get_by_role("link", name=f"Download {entity}")
        expect(link).to_have_attribute("href", f"/app/jobs/{answer.json()['id']}/download/{entity}")
        with page.expect_download() as download:
            link.click()
        lines = Path(download.value.path()).read_text().splitlines()
        assert lines[0].startswith(header) and len(lines) == rows + 1, (entity, lines[0])


def test_a_project_is_exported_and_deleted_and_then_its_group(
    page: Page, server: LiveServer
) -> None:
    sign_in(page, str(server.key))
    project_id = new_project(page, "short-lived", "gone")
    save_schema(page, SHOP)
    with page.expect_download() as download:
        page.get_by_role("link", name="SQL", exact=True).click()
    assert "CREATE TABLE" in Path(download.value.path()).read_text()
    page.get_by_role("button", name="Delete project").click()
    expect(page.get_by_role("heading", name="Projects", level=1)).to_be_visible()
    page.get_by_role("button", name="Delete group short-lived").click()
    expect(page.get_by_role("heading", name="short-lived")).to_have_count(0)
    with api(server) as client:
        assert client.get(f"/project/{project_id}").status_code == 404
        assert client.get("/project-group/short-lived").status_code == 404


def test_a_running_job_can_be_cancelled(page: Page, server: LiveServer) -> None:
    sign_in(page, str(server.key))
    new_project(page, "big", "many")
    save_schema(page, SHOP)
    generate = section(page, "Generate")
    generate.get_by_label("Entity").select_option("Order")
    generate.get_by_label("Rows").fill("50000000")
    generate.get_by_role("button", name="Generate").click()
    expect(page.get_by_role("link", name="Dask dashboard")).to_have_attribute(
        "href", re.compile(r"^http://127\.0\.0\.1:\d+/status")
    )
    page.get_by_role("button", name="Cancel").click()
    expect(page.locator("#job-status")).to_have_text("failed", timeout=30_000)
    expect(page.locator("#job-error")).to_contain_text("cancelled")
    expect(page.get_by_role("link", name="Download")).to_be_hidden()
    expect(page.get_by_role("link", name="Dask dashboard")).to_be_hidden()


def test_providers_are_made_edited_and_deleted(page: Page, server: LiveServer) -> None:
    key = workspace_key(server, "values")
    sign_in(page, key)
    go(page, "Providers")
    form = section(page, "New provider")
    form.get_by_label("Name").fill("colours")
    form.get_by_label("Values").fill("red\ngreen\n\nblue\n")
    form.get_by_role("button", name="Create provider").click()
    screenshot(page, "providers")
    page.get_by_role("link", name="colours").click()
    page.get_by_label("Values").fill('["red", 1, true]')
    page.get_by_role("button", name="Save").click()
    with api(server, key) as client:
        (listed,) = [p for p in client.get("/provider").json() if p["name"] == "colours"]
        assert client.get(f"/provider/{listed['id']}").json()["data"] == ["red", 1, True]
    page.get_by_role("link", name="colours").click()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No providers yet.")).to_be_visible()
    with api(server, key) as client:
        assert client.get("/provider").json() == []


def test_a_token_made_in_settings_works_until_revoked(page: Page, server: LiveServer) -> None:
    sign_in(page, str(server.key))
    go(page, "Settings")
    expect(page.get_by_role("heading", name="Project API Access Token")).to_be_visible()
    expect(page.get_by_label("Signing secret")).to_have_value(re.compile(r"^whsec_"))
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label(re.compile("Your new token")).input_value()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.get_by_role("button", name="Copy").first.click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    screenshot(page, "settings")
    with api(server, token) as client:
        assert client.get("/project-group").status_code == 200
    prefix = token.removeprefix("dft_").partition(".")[0]
    expect(page.get_by_role("cell", name=f"dft_{prefix}", exact=True)).to_be_visible()
    page.goto("/app/settings")  # the token is not shown again
    expect(page.get_by_label(re.compile("Your new token"))).to_have_count(0)
    page.get_by_role("button", name=f"Revoke dft_{prefix}").click()
    expect(page.get_by_role("cell", name=f"dft_{prefix}", exact=True)).to_have_count(0)
    with api(server, token) as client:
        assert client.get("/project-group").status_code == 401


def test_revoking_the_key_of_a_session_ends_it(page: Page, server: LiveServer) -> None:
    key = workspace_key(server, "default")
    prefix = key.removeprefix("dft_").partition(".")[0]
    sign_in(page, key)
    go(page, "Settings")
    page.get_by_role("button", name=f"Revoke dft_{prefix}").click()
    expect(page.get_by_label("API key")).to_be_visible()


def test_a_form_posted_without_its_csrf_token_is_refused(page: Page, server: LiveServer) -> None:
    sign_in(page, str(server.key))
    refused = page.request.post("/app/groups", form={"name": "forged"})
    assert refused.status == 403
    forged = page.request.post("/app/groups", form={"name": "forged", "_csrf": "guess"})
    assert forged.status == 403
    with api(server) as client:
        assert all(g["name"] != "forged" for g in client.get("/project-group").json())


def test_another_workspace_sees_nothing_of_this_one(page: Page, server: LiveServer) -> None:
    with api(server) as client:
        group = client.post("/project-group", json={"name": "private"}).json()
        project = client.post(
            "/project", json={"project_group_id": group["id"], "name": "hidden", "data": SHOP}
        ).json()
    sign_in(page, workspace_key(server, "elsewhere"))
    expect(page.get_by_text("private")).to_have_count(0)
    for path in (f"/app/projects/{project['id']}", f"/app/jobs/{project['id']}"):
        answer = page.request.get(path)
        assert answer.status == 404 and "Not found" in answer.text()


UNLABELLED = """() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter((e) => e.type !== "hidden" && !(e.labels && e.labels.length))
  .filter((e) => !e.getAttribute("aria-label"))
  .map((e) => e.outerHTML)"""


@pytest.mark.parametrize("path", ["/app/projects", "/app/providers", "/app/jobs", "/app/settings"])
def test_pages_fit_a_phone(phone: Page, server: LiveServer, path: str) -> None:
    sign_in(phone, str(server.key))
    phone.goto(path)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width}px wide"
    assert phone.evaluate(UNLABELLED) == []
    for name in ("Projects", "Providers", "Jobs", "Settings"):
        nav = phone.get_by_role("navigation", name="Main")
        expect(nav.get_by_role("link", name=name)).to_be_in_viewport()
    screenshot(phone, "phone-" + path.rsplit("/", 1)[1])


def test_a_project_page_fits_a_phone(phone: Page, server: LiveServer) -> None:
    sign_in(phone, str(server.key))
    new_project(phone, "mobile", "small")
    save_schema(phone, SHOP)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert phone.evaluate(UNLABELLED) == []
    screenshot(phone, "phone-project")


@pytest.mark.parametrize("path", ["/schema", "/schema/swagger"])
def test_the_api_docs_render_with_no_internet(page: Page, server: LiveServer, path: str) -> None:
    elsewhere: list[str] = []

    def only_here(route: Any) -> None:
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.goto(path)
    expect(page.get_by_text("/project-group").first).to_be_visible(timeout=30_000)
    assert elsewhere == []
    screenshot(page, "docs-" + path.strip("/").replace("/", "-"))


def test_the_pages_work_without_their_script(no_script: Page, server: LiveServer) -> None:
    page = no_script
    sign_in(page, workspace_key(server, "plain"))
    new_project(page, "plain", "html")
    page.get_by_label("Schema", exact=True).fill(BROKEN)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("line 8: unknown type 'nope'")
    save_schema(page, SHOP)
    page.get_by_label("Entity to preview").select_option("Order")
    page.get_by_role("button", name="Preview").click()
    table = page.locator("#preview table")
    expect(table.get_by_role("columnheader")).to_have_text(["id", "customer_id", "amount"])
    expect(table.locator("tbody tr")).to_have_count(10)
