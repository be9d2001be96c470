"""Issue 19 item 12: `make run` ends with one block naming the served address and the demo accounts;
seed_demo is quiet when asked; mails in the embedded mode go to files unless EMAIL_BACKEND says otherwise."""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from core.management.commands.demo_accounts import demo_accounts_block

ROOT = Path(__file__).resolve().parents[2]


def test_the_block_names_the_served_address_and_every_demo_account():
    block = demo_accounts_block("http://127.0.0.1:8731")
    assert "http://127.0.0.1:8731/" in block and "opsdesk-demo" in block
    for username in ("pm", "lead", "eng1", "req1", "appr1", "req2", "audit", "qa"):
        assert f"  {username} " in block
    assert block.splitlines()[-1].startswith("====")


@pytest.mark.django_db
def test_seed_demo_at_verbosity_0_prints_nothing(settings):
    out = io.StringIO()
    call_command("seed_demo", verbosity=0, stdout=out)
    assert out.getvalue() == ""


def _local_setting(name: str, env: dict) -> str:
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "opsdesk.settings.local", **env},
    )
    return result.stdout.strip()


def test_make_run_writes_mail_to_files_unless_asked_for_the_console():
    assert _local_setting("EMAIL_BACKEND", {}) == "django.core.mail.backends.filebased.EmailBackend"
    console = "django.core.mail.backends.console.EmailBackend"
    assert _local_setting("EMAIL_BACKEND", {"EMAIL_BACKEND": console}) == console


def test_make_run_builds_links_from_the_served_address():
    makefile = (ROOT / "Makefile").read_text()
    assert "OPSDESK_SITE_URL=$${OPSDESK_SITE_URL:-http://$(HOST):$(PORT)}" in makefile
    assert "demo_accounts --wait" in makefile
