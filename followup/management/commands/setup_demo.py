from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from areas.demo import DEMO_PASSWORD
from followup.demo import setup_demo


class Command(BaseCommand):
    help = (
        "Migrate the database, load the KTH action plan and create one demo user per role "
        f"(password {DEMO_PASSWORD!r}). Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even though DEBUG is off (the demo users have a published password).",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "setup_demo creates users with a published password; it runs only with "
                "DEBUG on (or --allow-without-debug). Load the plan alone with "
                "'manage.py loaddata kth_plan'."
            )
        call_command("migrate", verbosity=0, interactive=False)
        result = setup_demo()
        if not result.changed:
            self.stdout.write(
                "Nothing to do: the KTH plan and the demo users are already in place."
            )
            return
        parts = []
        if result.plan_loaded:
            parts.append("loaded the KTH action plan")
        if result.users_created:
            parts.append(f"created demo users {', '.join(result.users_created)}")
        if result.history_created:
            parts.append("created a fictional follow-up history (marked as demo data)")
        self.stdout.write(self.style.SUCCESS("Demo ready: " + " and ".join(parts) + "."))
