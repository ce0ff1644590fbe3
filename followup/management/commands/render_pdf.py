from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from areas.models import Department, SupportArea
from areas.selectors import current_plan
from followup.models import FollowUpCycle
from followup.pdf import PdfScope, PdfTooLarge, build_pdf_data, render_pdf


class Command(BaseCommand):
    help = "Render a cycle's follow-up report (programme, support area or department) to a PDF."

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="The cycle's year, e.g. 2025.")
        parser.add_argument("--support-area", help="A support area's section number, e.g. 3.5.")
        parser.add_argument("--department", help="A department's code, e.g. EDO.")
        parser.add_argument("--language", choices=["sv", "en"], default="sv")
        parser.add_argument("--output", required=True, help="Where to write the PDF.")
        parser.add_argument("--produced-by", default="vsplan", help="Name on the cover.")

    def handle(
        self, *args, cycle, support_area, department, language, output, produced_by, **options
    ):
        if support_area and department:
            raise CommandError("Give --support-area or --department, not both.")
        plan = current_plan()
        found = FollowUpCycle.objects.filter(plan=plan, year=cycle).first()
        if found is None:
            raise CommandError(f"There is no follow-up cycle for {cycle}.")
        scope = PdfScope("programme")
        if support_area:
            sa = SupportArea.objects.filter(number=support_area).first()
            if sa is None:
                raise CommandError(f"No support area numbered {support_area}.")
            scope = PdfScope("support_area", support_area=sa)
        elif department:
            dep = Department.objects.filter(code=department).first()
            if dep is None:
                raise CommandError(f"No department with the code {department}.")
            scope = PdfScope("department", department=dep)
        try:
            data = build_pdf_data(
                cycle=found,
                scope=scope,
                produced_by=produced_by,
                language=language,
                today=timezone.localdate(),
            )
            filename, _content_type, content = render_pdf(data)
        except PdfTooLarge as error:
            raise CommandError(str(error)) from None
        Path(output).write_bytes(content)
        self.stdout.write(f"Wrote {output} ({len(content)} bytes; {filename}).")
