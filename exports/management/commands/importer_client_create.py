"""Issue API credentials to an importer's program; the token is printed once and stored hashed."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from exports.models import Importer
from exports.services import importer_client_create


class Command(BaseCommand):
    help = "Create an API client for an importer and print its token (shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("importer", help="The importer's name, as in the admin")
        parser.add_argument("--name", default="API", help="What the program is, e.g. 'ERP'")
        parser.add_argument("--days", type=int, default=365, help="Days the token is valid (0: no expiry)")

    def handle(self, *args, importer, name, days, **options):
        found = Importer.objects.filter(name__iexact=importer).first()
        if found is None:
            raise CommandError(f"No importer named {importer!r}.")
        superuser = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        if superuser is None:
            raise CommandError("Create a superuser first (manage.py createsuperuser).")
        client, token = importer_client_create(
            importer=found, name=name, actor=superuser,
            expiry=datetime.timedelta(days=days) if days > 0 else None)
        self.stdout.write(f"{client}: {token}")
