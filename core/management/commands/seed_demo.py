"""Load the demo data. Idempotent: a second run adds nothing. Never run in production unless asked."""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand

# In dependency order; each is idempotent.
SEEDERS = (
    "accounts.demo.seed",
    "tickets.demo.seed_reference",
    "roster.demo.seed",
    "tickets.demo.seed_tickets",
    "changes.demo.seed",
    "monitoring.demo.seed",
)


class Command(BaseCommand):
    help = "Load OpsDesk demo data (organisations, accounts, systems, hosts, and more as apps provide)."

    def handle(self, *args, **options):
        for dotted in SEEDERS:
            module, func = dotted.rsplit(".", 1)
            getattr(import_module(module), func)()
            self.stdout.write(f"  {dotted}: ok")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Accounts (password: {settings.DEMO_PASSWORD}):"))
        from accounts.demo import ACCOUNTS

        for username, name, org, dept, title, roles, _mobile in ACCOUNTS:
            self.stdout.write(f"  {username:6} {name}  {org}{'/' + dept if dept else ''}  {title}  [{', '.join(roles)}]")
