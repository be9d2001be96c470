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
)


class Command(BaseCommand):
    help = "Load OpsDesk demo data (organisations, accounts, systems, hosts, and more as apps provide)."

    def handle(self, *args, **options):
        for dotted in SEEDERS:
            module, func = dotted.rsplit(".", 1)
            getattr(import_module(module), func)()
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {dotted}: ok")
        if options["verbosity"] >= 1:
            # `make run` runs this quietly and prints the accounts last (manage.py demo_accounts).
            from .demo_accounts import demo_accounts_block

            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
            self.stdout.write(demo_accounts_block(settings.OPSDESK_SITE_URL))
