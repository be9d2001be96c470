"""End-to-end journeys: Playwright for Python driving Debian's Chromium against a live server.

Every page load is watched: a console error, a failed request, or a request to any host other than
the live server fails the test. Screenshots go to test-artifacts/e2e/<test>/ (not committed).
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.db import connection

from tests import dbstate

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
TOUR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"  # README tour (`make screenshots`)
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the test itself
# (set-up through services) are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


# Speed: from the second journey on, the restore (tests/dbstate.py) inserts a snapshot of the database
# taken right after the first journey seeded the demo data: the same rows, without re-running the seeders.
@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    dbstate.SNAPSHOT["active"] = "tests/e2e/" in str(item.fspath)
    dbstate.SNAPSHOT["used"] = False


def pytest_runtest_teardown(item):
    dbstate.SNAPSHOT["active"] = False


def _seed_demo() -> None:
    """The demo data of `seed_demo`; three months of ticket history only with E2E_DEMO_HISTORY=1
    (the README screenshots), since it takes ~25 s and no journey needs it."""
    from core.demo import demo_seeders

    for seeder in demo_seeders():
        if seeder.history and not os.environ.get("E2E_DEMO_HISTORY"):
            continue
        seeder.run()


@pytest.fixture
def browser():
    # Per test, not per session: while Playwright's event loop lives in the main thread, Django's
    # serialized rollback does not restore the migration-seeded rows for the next test.
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must run the end-to-end journeys (scripts/os_deps.sh with E2E=1)")
        pytest.skip(f"{CHROMIUM} is not installed (E2E=1 bash scripts/os_deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class PageWatch:
    def __init__(self, base_url: str):
        self.host = urlparse(base_url).netloc
        self.problems: list[str] = []

    def on_console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def on_request(self, request):
        netloc = urlparse(request.url).netloc
        if request.url.startswith(("http://", "https://")) and netloc != self.host:
            self.problems.append(f"request left the host: {request.url}")

    def on_request_failed(self, request):
        failure = request.failure or ""
        if "ERR_ABORTED" in failure and request.resource_type == "document":
            return  # a download navigation is reported as aborted
        self.problems.append(f"request failed: {request.url} {failure}")

    def on_response(self, response):
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status}: {response.url}")


# Every journey module starts with this mark, so that the rows migrations seeded (groups, calendar,
# contract) are restored after another transactional test's flush:
E2E_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def e2e(live_server, request):
    """A fresh browser context on the live server with the demo data, watched for errors."""
    if not dbstate.SNAPSHOT["used"]:
        _seed_demo()
        dbstate.SNAPSHOT["data"] = connection.creation.serialize_db_to_string()
    browser = request.getfixturevalue("browser")  # after the database is restored and seeded
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    folder = ARTIFACTS / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    session = E2ESession(browser, live_server.url, folder)
    yield session
    session.close()
    assert not session.watch.problems, "\n".join(session.watch.problems)


class E2ESession:
    def __init__(self, browser, base_url: str, folder: Path, viewport=None):
        self.browser = browser
        self.base_url = base_url
        self.folder = folder
        self.watch = PageWatch(base_url)
        self.contexts = []
        self.shots = 0

    def new_page(self, *, width: int = 1366, height: int = 768):
        context = self.browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True, locale="zh-CN")
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self.watch.on_console)
        page.on("request", self.watch.on_request)
        page.on("requestfailed", self.watch.on_request_failed)
        page.on("response", self.watch.on_response)
        page.set_default_timeout(15000)
        return page

    def login(self, username: str, *, width: int = 1366, height: int = 768):
        page = self.new_page(width=width, height=height)
        page.goto(f"{self.base_url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "opsdesk-demo")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        if "/accounts/login/" in page.url:
            self.shot(page, f"login-failed-{username}")
        assert "/accounts/login/" not in page.url, f"{username} could not log in"
        return page

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def shot(self, page, label: str, *, tour: str | None = None) -> Path:
        """A full-page screenshot into the test's artefacts; with E2E_TOUR=1 (`make screenshots`) a
        page named by `tour` is also saved, as the 1366×768 viewport, for the README tour."""
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        if tour and os.environ.get("E2E_TOUR"):
            TOUR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(TOUR / f"{tour}.png"))
        return path

    def close(self):
        for context in self.contexts:
            context.close()
