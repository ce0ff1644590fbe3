from django.core.management.base import BaseCommand
from django.utils import timezone

from followup.cycles import reminders_send
from followup.models import FollowUpCycle


class Command(BaseCommand):
    help = (
        "E-mail department heads with unsubmitted reports of the open cycles, once per reminder "
        "step. Safe to run every day (cron): a step already sent is never sent again, and a "
        "failed send is tried again on the next run."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        lines = []
        for cycle in FollowUpCycle.objects.filter(state=FollowUpCycle.State.OPEN):
            result = reminders_send(cycle=cycle, today=today)
            if result.step is None:
                lines.append(f"{cycle.name}: no reminder due")
            else:
                lines.append(
                    f"{cycle.name}: {result.step} days before: sent {len(result.sent)}, "
                    f"already sent {result.already_sent}, failed {len(result.failed)}"
                )
        self.stdout.write("; ".join(lines) or "No open cycle.")
