from django.core.management.base import BaseCommand
from django.utils import timezone

from followup.cycles import notifications_send, reminders_send
from followup.models import FollowUpCycle


class Command(BaseCommand):
    help = (
        "E-mail department heads with unsubmitted reports of the open cycles, once per reminder "
        "step, and send the e-mails about reviews that could not go out before. Safe to run "
        "every day (cron), or more often: a step already sent is never sent again, and a "
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
        sent, failed = notifications_send()
        if sent or failed:
            lines.append(f"review e-mails: sent {sent}, failed {failed}")
        self.stdout.write("; ".join(lines) or "No open cycle.")
