"""Our versions of two helper functions of django-pgtrigger and django-pghistory.

``_pgtrigger_should_ignore`` always answers no. pgtrigger's own version switches a trigger off for
whoever sets the session setting ``pgtrigger.ignore`` (any role may set a custom setting), so the
runtime role could delete a member past ``member_never_deleted``. Nothing in the app uses
``pgtrigger.ignore``; a migration that must work around a trigger runs as the tables' owner and
disables it with ALTER TABLE.

``_pgh_attach_context`` is faster: pghistory reads its session settings inside a
BEGIN ... EXCEPTION block, so every row its triggers touch opens (and rolls back) a
subtransaction. Within one long transaction — a CSV import, the demo seed — each insert then gets
slower than the one before (measured: batches of 2,000 member rows went from 0.2 s to 0.6 s over
20,000 rows; with this version they stay at 0.18 s). ``current_setting(name, true)`` returns NULL,
or '' once the setting has been used in the session, instead of raising, so no exception handler
is needed. Behaviour is otherwise the same.

pgtrigger re-creates its function whenever it installs a trigger, so these are installed again
after every ``migrate`` (post_migrate, see CoopConfig.ready).
"""

from django.db import connections

SHOULD_IGNORE = """
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME)
RETURNS BOOLEAN AS $$
    SELECT FALSE;
$$ LANGUAGE sql;
"""

ATTACH_CONTEXT = """
CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS pghistory_context.id%TYPE AS $$
    DECLARE
        _pgh_context_id UUID := NULLIF(CURRENT_SETTING('pghistory.context_id', true), '')::UUID;
        _pgh_context_metadata JSONB := NULLIF(CURRENT_SETTING('pghistory.context_metadata', true), '')::JSONB;
    BEGIN
        IF _pgh_context_id IS NULL OR _pgh_context_metadata IS NULL THEN
            RETURN NULL;
        END IF;
        INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
            VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
            ON CONFLICT (id) DO UPDATE
                SET metadata = EXCLUDED.metadata, updated_at = EXCLUDED.updated_at
                WHERE pghistory_context.metadata != EXCLUDED.metadata;
        RETURN _pgh_context_id;
    END;
$$ LANGUAGE plpgsql;
"""


def install(using: str = "default", **kwargs) -> None:
    with connections[using].cursor() as cursor:
        cursor.execute(SHOULD_IGNORE)
        cursor.execute(ATTACH_CONTEXT)
