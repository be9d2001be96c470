"""The closing block of `make run`: where the desk is served and who can sign in.

With --wait it first waits (up to --timeout seconds) until the served address answers /healthz, so
the block comes after the server's own start-up lines and is the last thing on the screen."""

import time
import unicodedata
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand


def demo_accounts_block(url: str) -> str:
    from accounts.demo import ACCOUNTS

    url = url.rstrip("/") + "/"
    rule = "=" * 72
    lines = [
        rule,
        f"  OpsDesk 运维服务台  {url}",
        f"  演示账号 Demo accounts — 密码 password: {settings.DEMO_PASSWORD}",
        "",
    ]
    for username, name, org, dept, title, _roles, _mobile in ACCOUNTS:
        where = f"{org}{'/' + dept if dept else ''}"
        lines.append(f"  {username:6} {_pad(name, 7)} {_pad(title, 13)} {where}")
    lines += [
        "",
        f"  E-mail: {_mail_hint()}",
        "  Ctrl-C stops the server and the scheduler.",
        rule,
    ]
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """Left-justify in terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - columns, 1)


def _mail_hint() -> str:
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    if backend == "filebased":
        return f"written to {settings.EMAIL_FILE_PATH}/ (EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend prints them here)"
    return f"{backend} backend"


class Command(BaseCommand):
    help = "Print the served address and the demo accounts (the end of `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.OPSDESK_SITE_URL)
        parser.add_argument("--wait", action="store_true", help="wait until the address answers /healthz")
        parser.add_argument("--timeout", type=float, default=60.0)

    def handle(self, *args, url: str, wait: bool, timeout: float, **options):
        if wait and not _wait_until_up(url, timeout):
            self.stderr.write(f"OpsDesk did not answer at {url} within {timeout:.0f} s; see the server output above.")
            return
        self.stdout.write(demo_accounts_block(url))


def _wait_until_up(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    probe = url.rstrip("/") + "/healthz"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(probe, timeout=2) as response:  # noqa: S310 - our own local address
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    return False
