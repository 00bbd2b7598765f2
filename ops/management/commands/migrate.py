"""`migrate` as the schema owner: Django's own command, connected with DATABASE_OWNER_URL's
credentials. Run as any other role (the runtime role above all) it stops and says what to set."""

import environ
from django.conf import settings
from django.core.management import CommandError
from django.core.management.commands import migrate
from django.db import connections


class Command(migrate.Command):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if options["database"] == "default" and settings.DATABASE_OWNER_URL:
            owner = environ.Env.db_url_config(settings.DATABASE_OWNER_URL)
            if (owner["USER"], owner.get("PASSWORD", "")) != (connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]):
                connection.close()
                connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner.get("PASSWORD", ""))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_user, pg_get_userbyid(nspowner), has_schema_privilege('public', 'CREATE') "
                "FROM pg_namespace WHERE nspname = 'public'"
            )
            user, schema_owner, can_create = cursor.fetchone()
        if not can_create:
            raise CommandError(
                f"migrate must run as the owner of the schema ({schema_owner}), not as {user}, which may not "
                f"change it. Set DATABASE_OWNER_URL to the owner's URL, e.g. "
                f"postgres://{schema_owner}@{connection.settings_dict['HOST'] or '127.0.0.1'}:"
                f"{connection.settings_dict['PORT'] or 5432}/{connection.settings_dict['NAME']}"
            )
        return super().handle(*args, **options)
