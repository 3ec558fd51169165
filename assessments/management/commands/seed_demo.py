"""Demo data for the run command. Idempotent: a second run changes nothing."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_PASSWORD = "tekigo-demo"
DEMO_USERS = [
    # (username, is_staff, description)
    ("admin", True, "staff admin: edits, publishes and retires framework versions"),
    ("reader", False, "signed-in user: browses the catalog"),
]


class Command(BaseCommand):
    help = "Create the demo accounts (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow outside DEBUG (never in production)")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates accounts with a known password: it runs only with DEBUG on.")
        User = get_user_model()
        created = 0
        for username, is_staff, _description in DEMO_USERS:
            user, was_created = User.objects.get_or_create(
                username=username, defaults={"is_staff": is_staff, "is_superuser": is_staff}
            )
            if was_created:
                user.set_password(DEMO_PASSWORD)
                user.save()
                created += 1
        self.stdout.write(f"demo accounts: {created} created, {len(DEMO_USERS) - created} already there")
        for username, _is_staff, description in DEMO_USERS:
            self.stdout.write(f"  {username:8} / {DEMO_PASSWORD}   {description}")
