"""`make run`: a demo admin (credentials printed) and, when the catalog provides it, demo data."""

from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

DEMO_ADMIN_EMAIL = "admin@ordertrail.local"
DEMO_ADMIN_PASSWORD = "ordertrail-admin"


class Command(BaseCommand):
    help = "Create the demo admin and load demo data (idempotent)."

    def handle(self, *args, **options):
        User = get_user_model()
        if not User.objects.filter(email=DEMO_ADMIN_EMAIL).exists():
            User.objects.create_superuser(email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD)
        if "seed_demo" in get_commands():
            call_command("seed_demo")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}  "
                "(Django admin at http://127.0.0.1:8000/admin/, API docs at /api/v1/docs/swagger/)"
            )
        )
