from django.core.management.base import BaseCommand

from areas.roles import ensure_role_groups


class Command(BaseCommand):
    help = (
        "Create the role groups (secretariat, council, reader) and give the secretariat its "
        "admin permissions. Safe to run again."
    )

    def handle(self, *args, **options):
        created = ensure_role_groups()
        if created:
            self.stdout.write(f"Created role groups: {', '.join(created)}.")
        else:
            self.stdout.write("Role groups already in place; secretariat permissions checked.")
