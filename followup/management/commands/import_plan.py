from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from areas.excel import ImportRejected, read_workbook
from areas.models import ActionPlan
from areas.revisions import (
    RevisionError,
    build_change_set,
    plan_start,
    start_change_set,
    start_values,
)
from areas.selectors import current_plan
from areas.starter import read_start_workbook
from followup.services import plan_revise
from followup.workbook import STATUS_COLUMNS, read_only_edits


class Command(BaseCommand):
    help = (
        "Read a revised plan from an Excel workbook in the export's layout and print its "
        "change set; with --apply and --revision, write it as a new revision. With --new, "
        "start the plan of an empty installation from a filled-in empty workbook (see "
        "the plan page, or README.md); with --apply, write it as the first revision."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The workbook (.xlsx).")
        parser.add_argument("--apply", action="store_true", help="Write the changes.")
        parser.add_argument(
            "--new",
            action="store_true",
            help="Start the plan: an installation with no plan, a workbook that starts one.",
        )
        parser.add_argument("--revision", help="The new revision's label (needed with --apply).")
        parser.add_argument(
            "--registration-number", help="Default: the current revision's registration number."
        )
        parser.add_argument("--user", help="Username recorded as the author of the changes.")
        parser.add_argument("--language", choices=["sv", "en"], default="en")

    def handle(self, *args, language, **options):
        with translation.override(language):
            self._import(**options)

    def _import(self, *, file, apply, new, revision, registration_number, user, **options):
        author = None
        if user:
            author = User.objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"There is no user {user!r}.")
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Could not read {path}: {error.strerror}.") from None
        if new:
            self._start(data, apply, revision, registration_number, author)
            return
        plan = current_plan()
        if plan is None:
            raise CommandError(
                "No action plan has been loaded. To start one from a workbook, use --new "
                "(see README.md, 'Starting with your own organisation's plan')."
            )
        if apply and not revision:
            raise CommandError("--apply needs --revision LABEL.")
        try:
            result = read_workbook(data, read_only_columns=STATUS_COLUMNS)
        except ImportRejected as error:
            raise CommandError(str(error)) from None
        result.warnings.extend(read_only_edits(result, plan, as_of=timezone.localdate()))
        change_set = build_change_set(result.rows, plan, (result.errors, result.warnings))
        self._print(change_set)
        if change_set.errors or change_set.unknown_departments:
            raise CommandError("The workbook has errors; nothing was written.")
        if not apply:
            return
        try:
            new, _applied = plan_revise(
                records=result.rows,
                read_errors=result.errors,
                user=author,
                revision=revision,
                registration_number=registration_number or plan.registration_number,
                expected_digest=change_set.digest,
            )
        except RevisionError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Applied as revision {new.revision!r}."))

    def _start(self, data: bytes, apply: bool, revision, registration_number, author) -> None:
        if ActionPlan.objects.exists():
            raise CommandError(
                "This installation already has a plan; --new starts one on an empty "
                "installation only. To revise the plan, import the workbook without --new."
            )
        try:
            read = read_start_workbook(data)
        except ImportRejected as error:
            raise CommandError(str(error)) from None
        result, start = read.result, read.data
        try:
            change_set = start_change_set(start, result.rows, (result.errors, result.warnings))
        except RevisionError as error:
            raise CommandError(str(error)) from None
        out = self.stdout.write
        out(f"{start.plan['organisation']}: {start.plan['title']}")
        out(
            f"{len(start.departments)} departments, {len(start.support_areas)} support areas, "
            f"{len(start.groups)} groups, {len(start.goals)} goals."
        )
        self._print(change_set)
        if change_set.errors or change_set.unknown_departments:
            raise CommandError("The workbook has errors; nothing was written.")
        if not apply:
            return
        values = start_values(start)
        values["revision"] = revision or values["revision"]
        values["registration_number"] = registration_number or values["registration_number"]
        try:
            plan, _applied = plan_start(
                start=start,
                records=result.rows,
                read_errors=result.errors,
                user=author,
                expected_digest=change_set.digest,
                **values,
            )
        except RevisionError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"The plan is started as revision {plan.revision!r}."))

    def _print(self, change_set) -> None:
        out = self.stdout.write
        out(
            f"{len(change_set.added)} added, {len(change_set.changed)} changed "
            f"({len(change_set.moved)} moved), {len(change_set.removed)} removed, "
            f"{change_set.unchanged} unchanged, {change_set.reordered} in a new place."
        )
        if not change_set.has_changes and not change_set.errors:
            out("No changes.")
        for item in change_set.added:
            out(f"+ {item['key']} {item['title'][:80]} (sheet {item['sheet']}, row {item['row']})")
        for item in change_set.changed:
            out(f"~ {item.key} {item.title[:80]}")
            for change in item.fields:
                out(f"    {change.label}: {change.old!r} → {change.new!r}")
        for item in change_set.removed:
            out(f"- {item['key']} {item['title'][:80]}")
        for group in change_set.new_groups:
            out(f"new group in {group['support_area']}: {group['name']}")
        for item in change_set.unknown_departments:
            out(f"unknown department {item['code']} at {', '.join(item['places'])}")
        for message in change_set.errors:
            out(f"error: {message}")
        for message in change_set.warnings:
            out(f"warning: {message}")
