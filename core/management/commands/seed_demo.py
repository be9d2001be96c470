"""Load the demo data. Idempotent: a second run adds nothing. Never run in production unless asked."""

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.demo import ACCOUNTS
from core.demo import demo_seeders


class Command(BaseCommand):
    help = "Load OpsDesk demo data (organisations, accounts, systems, hosts, and more as apps provide)."

    def handle(self, *args, **options):
        # The apps register their seeders in AppConfig.ready(), lowest layer first (core.demo).
        for seeder in demo_seeders():
            seeder.run()
            self.stdout.write(f"  {seeder.name}: ok")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Accounts (password: {settings.DEMO_PASSWORD}):"))
        for username, name, org, dept, title, roles, _mobile in ACCOUNTS:
            self.stdout.write(f"  {username:6} {name}  {org}{'/' + dept if dept else ''}  {title}  [{', '.join(roles)}]")
