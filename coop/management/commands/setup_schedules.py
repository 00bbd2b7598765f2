from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

SCHEDULES = [
    # name, task, crontab (minute, hour, day of month, month)
    ("Certification expiry notices", "coop.tasks.certification_expiry_notify", ("0", "6", "*", "*")),
    ("Loan rounds at the start of each quarter", "loans.tasks.loan_rounds_propose", ("0", "6", "1", "1,4,7,10")),
    ("Quarterly premium report by email", "reports.tasks.quarterly_premium_reports", ("0", "7", "1", "1,4,7,10")),
]


class Command(BaseCommand):
    help = "Create the Celery beat schedules in the database (kept if an administrator edited them)."

    def handle(self, *args, **options):
        for name, task, (minute, hour, day_of_month, month_of_year) in SCHEDULES:
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=minute, hour=hour, day_of_week="*", day_of_month=day_of_month, month_of_year=month_of_year,
                timezone="America/Lima",
            )
            _, created = PeriodicTask.objects.get_or_create(
                name=name, defaults={"task": task, "crontab": crontab}
            )
            self.stdout.write(f"{'Created' if created else 'Kept'} schedule: {name}")
