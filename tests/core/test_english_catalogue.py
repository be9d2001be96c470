"""The English catalogue (locale/en/LC_MESSAGES/django.po) is complete, current, and actually used.

(a) every entry of the committed catalogue is translated and none is fuzzy;
(b) the catalogue is not stale: Django's makemessages, run over a temporary copy of the product code with the
    committed catalogue, adds no msgid the committed catalogue lacks;
(c) the main pages render in English with the language cookie set to `en`, with no Chinese left in the
    navigation or in the page chrome.
"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from tests.core import pofile

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What is not product code: the same --ignore list as the documented makemessages command.
NOT_PRODUCT = [".venv", "var", "tests", "bench", "test-artifacts", "node_modules"]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def _entries() -> list[pofile.Entry]:
    return [e for e in pofile.load(PO) if not e.is_header and not e.obsolete]


def test_every_committed_entry_is_translated_and_not_fuzzy():
    entries = _entries()
    assert len(entries) > 500, "the catalogue holds the whole interface"
    untranslated = [e.msgid for e in entries if not e.translated]
    fuzzy = [e.msgid for e in entries if e.fuzzy]
    assert not untranslated, f"{len(untranslated)} untranslated entries: {untranslated[:20]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries: {fuzzy[:20]}"
    header = next(e for e in pofile.load(PO) if e.is_header)
    assert "Language: en\n" in header.msgstr and not header.fuzzy


def test_translations_keep_every_placeholder():
    placeholder = re.compile(r"%\(\w+\)[sdif]|%[sd]|\{\w*\}|</?[a-z]+[^>]*>")
    broken = []
    for e in _entries():
        pairs = (
            [(e.msgid, e.msgstr_plural.get(0, "")), (e.msgid_plural, e.msgstr_plural.get(1, ""))]
            if e.msgid_plural is not None
            else [(e.msgid, e.msgstr)]
        )
        broken += [(src, dst) for src, dst in pairs if sorted(placeholder.findall(src)) != sorted(placeholder.findall(dst))]
    assert not broken, broken[:20]


def test_no_translation_is_left_in_chinese():
    leftover = [(e.msgid, e.msgstr) for e in _entries() if CJK.search(e.msgstr or "".join(e.msgstr_plural.values()))]
    assert not leftover, leftover[:20]


def test_catalogue_is_not_stale(tmp_path, settings, monkeypatch):
    """Extract with makemessages into a copy: any msgid it would add is missing from the committed catalogue."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        pytest.fail("GNU gettext (xgettext, msgmerge) is required: scripts/os_deps.sh installs it")
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        symlinks=True,
        ignore=shutil.ignore_patterns(*NOT_PRODUCT, ".git", "__pycache__", "*.pyc", "*.mo", "*.sqlite3"),
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    settings.STATIC_ROOT = str(tmp_path / "static-root")
    settings.MEDIA_ROOT = str(tmp_path / "media-root")
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], ignore_patterns=NOT_PRODUCT, no_obsolete=True, verbosity=0)
    extracted = {e.key for e in pofile.load(copy / "locale" / "en" / "LC_MESSAGES" / "django.po") if not e.is_header}
    committed = {e.key for e in _entries()}
    assert len(extracted) > 500, "makemessages found the product's strings"
    missing = sorted(msgid for _ctx, msgid in extracted - committed)
    assert not missing, (
        f"locale/en/LC_MESSAGES/django.po is stale: {len(missing)} msgids are not in it; run makemessages "
        f"(see README) and translate them:\n" + "\n".join(missing)
    )


def _compile_if_outdated() -> None:
    """`make setup` compiles the catalogue; recompile here if the .mo is missing or older than the .po."""
    mo = PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < PO.stat().st_mtime:
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(PO)], check=True)
        translation.trans_real._translations = {}
        translation.trans_real._default = None


def test_compiled_catalogue_translates():
    _compile_if_outdated()
    with translation.override("en"):
        assert translation.gettext("工单") == "Tickets"
        assert translation.gettext("首页") == "Home"
    with translation.override("zh-hans"):
        assert translation.gettext("首页") == "首页"


# --- pages in English -------------------------------------------------------------------------------


def _nav(html: str) -> str:
    match = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    assert match, "the page has the main navigation"
    return match.group(0)


def _chrome(html: str) -> str:
    """Header, navigation and footer, without the language names in the switch (each shown in its own language)."""
    without_options = re.sub(r"<option[^>]*>.*?</option>", "", html, flags=re.S)
    header = re.search(r"<header.*?</header>", without_options, re.S)
    footer = re.search(r"<footer.*?</footer>", without_options, re.S)
    return "".join(m.group(0) for m in (header, footer) if m)


@pytest.fixture
def english(client, settings):
    _compile_if_outdated()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_login_page_in_english(english):
    html = english.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    for word in ["Sign in to OpsDesk", "Username", "Password", "Real-name account"]:
        assert word in html, word
    assert not CJK.findall(_chrome(html)), CJK.findall(_chrome(html))
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    assert not CJK.findall(main), CJK.findall(main)


@pytest.mark.django_db
def test_home_queue_and_ticket_pages_in_english(english, users, systems):
    from tickets.services.tickets import ticket_create

    ticket = ticket_create(
        actor=users["requester"], title="Portal unreachable", kind="fault", severity="P1", business_system=systems["own"],
        description="Login page times out.",
    )
    english.force_login(users["duty_leader"])

    home = english.get("/").content.decode()
    assert '<html lang="en">' in home and "Home" in home and "Hello," in home
    nav = _nav(home)
    assert not CJK.findall(nav), f"Chinese left in the navigation: {CJK.findall(nav)}"
    assert "Tickets" in nav and "Work queue" in nav
    chrome = _chrome(home).replace(users["duty_leader"].display_name, "")  # the user's own (Chinese) name
    assert not CJK.findall(chrome), CJK.findall(chrome)

    queue = english.get("/tickets/queue/").content.decode()
    assert not CJK.findall(_nav(queue))
    for word in ["Work queue", "Unclaimed", "Filter tickets", "Number", "Reported at", "Claim", "P1 System down"]:
        assert word in queue, word

    page = english.get(f"/tickets/{ticket.pk}/").content.decode()
    assert not CJK.findall(_nav(page))
    for word in ["Ticket details", "Timeline", "SLA clocks", "Response", "Problem description", "Fault", "Reporter"]:
        assert word in page, word
    main = re.search(r"<main.*?</main>", page, re.S).group(0)
    from accounts.models import Organization, User

    data = {systems["own"].name} | set(User.objects.values_list("real_name", flat=True))
    data |= {name for pair in Organization.objects.values_list("name", "short_name") for name in pair}
    for value in sorted(filter(None, data), key=len, reverse=True):  # user data stays as entered
        main = main.replace(value, "")
    assert not CJK.findall(main), f"Chinese left on the ticket page: {sorted(set(CJK.findall(main)))}"


@pytest.mark.django_db
def test_service_refusals_read_in_english_through_the_api(users, systems, settings):
    """The services' refusals are marked for translation: a client that chose English reads them in
    English (here the auditor's refused submission and a downgrade without its reason)."""
    from rest_framework.test import APIClient

    from tickets.services.tickets import ticket_create

    _compile_if_outdated()
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_authenticate(users["auditor"])
    answer = client.post("/api/v1/tickets/", {"title": "x", "kind": "fault", "severity": "P3",
                                              "business_system": systems["own"].pk, "description": "x"}, format="json")
    assert answer.status_code == 403 and not CJK.findall(answer.json()["message"]), answer.content
    ticket = ticket_create(actor=users["requester"], title="Portal slow", kind="fault", severity="P2",
                           business_system=systems["own"], description="Slow at peak.")
    client.force_authenticate(users["duty_leader"])
    answer = client.patch(f"/api/v1/tickets/{ticket.pk}/", {"severity": "P4", "reason": ""}, format="json")
    assert answer.status_code == 400, answer.content
    assert not CJK.findall(answer.content.decode()), answer.content.decode()
