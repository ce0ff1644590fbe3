from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from areas.selectors import current_plan
from followup.workbook import export_workbook


class Command(BaseCommand):
    help = "Export the current plan, with every area's status, to an Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the workbook, e.g. plan.xlsx.")
        parser.add_argument("--language", choices=["sv", "en"], default="sv")

    def handle(self, *args, file, language, **options):
        plan = current_plan()
        if plan is None:
            raise CommandError("No action plan has been loaded.")
        path = Path(file)
        if path.suffix.lower() != ".xlsx":
            raise CommandError("The file name must end in .xlsx.")
        try:
            count = export_workbook(
                path, plan, plan.areas.all(), as_of=timezone.localdate(), language=language
            )
        except OSError as error:
            raise CommandError(f"Could not write {path}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {count} development areas of {plan} to {path}.")
