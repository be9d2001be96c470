"""Load the demo data. Idempotent: a second run adds nothing. Never run in production unless asked."""

from django.conf import settings
from django.core.management.base import BaseCommand

from core.demo import demo_seeders


class Command(BaseCommand):
    help = "Load OpsDesk demo data (organisations, accounts, systems, hosts, and more as apps provide)."

    def handle(self, *args, **options):
        # The apps register their seeders in AppConfig.ready(), lowest layer first (core.demo).
        for seeder in demo_seeders():
            seeder.run()
            if options["verbosity"] >= 2:
                self.stdout.write(f"  {seeder.name}: ok")
        if options["verbosity"] >= 1:
            # `make run` runs this quietly and prints the accounts last (manage.py demo_accounts).
            from .demo_accounts import demo_accounts_block

            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
            self.stdout.write(demo_accounts_block(settings.OPSDESK_SITE_URL))
