"""Production hardening: `check --deploy` is clean, every response carries the CSP and companions,
no template contains inline script, and Swagger UI works under the policy."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_check_deploy_reports_no_issue_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="opsdesk.settings.production",
        SECRET_KEY="Zq8#pLx2!vN7@rT4$wK9%mB3^hJ6&yF1*cD5(sG0)eA-opsdesk-production-test-key",
        ALLOWED_HOSTS="opsdesk.example",
        CSRF_TRUSTED_ORIGINS="https://opsdesk.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_production_settings_are_hardened():
    env = {k: v for k, v in os.environ.items() if k != "DEBUG"}
    env.update(SECRET_KEY="k" * 60, ALLOWED_HOSTS="opsdesk.example", CSRF_TRUSTED_ORIGINS="https://opsdesk.example")
    code = (
        "import opsdesk.settings.production as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS >= 31536000,"
        " s.X_FRAME_OPTIONS, s.CSRF_TRUSTED_ORIGINS, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "True", "DENY", "['https://opsdesk.example']", "True"]


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/", "/api/v1/schema/", "/api/v1/docs/", "/healthz", "/no-such-page/", "/api/v1/users/me/"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = _csp(response)
    assert csp["script-src"] == ["'self'"], "no inline script, no eval, no third party"
    assert csp["default-src"] == ["'self'"] and csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in csp["default-src"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def _template_files():
    dirs = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    dirs += [ROOT / app / "templates" for app in ("accounts", "core", "roster", "tickets", "reports")]
    for directory in dirs:
        if directory.exists():
            yield from (p for p in directory.rglob("*") if p.suffix in {".html", ".txt", ".xml"})


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, JS_URL):
            for match in pattern.finditer(text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)[:80]}")
    assert not offenders, "inline script is refused by the CSP; move it to static/js/<app>.js:\n" + "\n".join(offenders)


@pytest.mark.django_db
def test_swagger_ui_page_has_no_inline_script_and_its_init_script_is_served(client):
    html = client.get("/api/v1/docs/").content.decode()
    assert not INLINE_SCRIPT.search(html)
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in s for s in scripts) and all(not s.startswith("http") for s in scripts)
    init = next(s for s in scripts if "script=" in s).replace("&amp;", "&")
    response = client.get(init)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in response.content.decode()


@pytest.mark.e2e
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_swagger_ui_renders_under_the_csp_in_headless_chromium(live_server):
    from playwright.sync_api import sync_playwright

    violations: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
            page.goto(f"{live_server.url}/api/v1/docs/")
            page.wait_for_selector(".opblock-tag", timeout=20000)  # operations rendered from the schema
            assert page.locator(".opblock").count() > 3
            assert "OpsDesk API" in page.content()
        finally:
            browser.close()
    assert not violations, violations
