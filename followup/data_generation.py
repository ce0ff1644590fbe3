"""A token the database itself changes with every write to the plan and its follow-up.

The dashboard caches its fragments, and a stored PDF is kept, under the token
they were made from; a copy made from other data is never served. The token
is kept by database triggers (SQLite and PostgreSQL alike) on every table of
``areas`` and ``followup``, so every way of writing changes it: services, the
admin, imports, bulk ``update()`` and ``delete()``, raw SQL. Nobody has to
remember anything.

The trigger writes in the writer's own transaction: a rolled-back write leaves
the token as it was, and a reader sees the new token only together with the
data it names. It is a random value, not a counter, so a restored backup can
never bring back a token that named other data.

The triggers are (re)installed after every ``migrate`` (``install_triggers``,
connected to ``post_migrate``), for every table there is then, so a new model
is watched without anyone adding it here. Tables the dashboard and the PDFs
never read are left out (``UNWATCHED``): writing them must not make every
cached copy stale.
"""

from uuid import uuid4

from django.apps import apps
from django.db import connection, connections
from django.utils import timezone

from .models import DataGeneration

# Written often, or never read by a cached page or a PDF.
UNWATCHED = {
    "areas_planimport",  # uploaded workbooks under review
    "followup_auditentry",  # the audit trail: written beside the changes it records
    "followup_notification",  # e-mails waiting to be sent
    "followup_datageneration",  # the token itself
    "followup_storedpdf",  # the stored PDFs: storing one must not make it stale
    "followup_reminderlog",  # reminders sent
    "followup_reminderlog_reports",
}
TOKEN_ROW = 1
_TRIGGER_PREFIX = "vsplan_data_generation"


def data_generation() -> str:
    """The current token (one query). Without its row (a database not migrated by
    ``migrate``) every call gives a new value, so that nothing cached is ever reused."""
    token = DataGeneration.objects.filter(pk=TOKEN_ROW).values_list("token", flat=True).first()
    return token or f"unkept-{uuid4().hex}"


def dated_generation() -> str:
    """The token and today's date: what a stored PDF is made from (its "late" and the date
    it prints change with the day as well as with the data)."""
    return f"{data_generation()}:{timezone.localdate().isoformat()}"


def watched_tables() -> list[str]:
    """Every table of the plan and the follow-up, many-to-many tables included."""
    tables = set()
    for label in ("areas", "followup"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            tables.add(model._meta.db_table)
    return sorted(tables - UNWATCHED)


# The SQL below is built from the models' own table names, never from anything a user
# sent (so ruff's S608 is switched off for this file in pyproject.toml).


def _sqlite_statements(table: str) -> list[str]:
    new_token = (
        f"UPDATE {DataGeneration._meta.db_table} SET token = lower(hex(randomblob(16))) "
        f"WHERE id = {TOKEN_ROW};"
    )
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{_TRIGGER_PREFIX}_{table}_{event.lower()}" '
        f'AFTER {event} ON "{table}" FOR EACH ROW BEGIN {new_token} END'
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


def _postgresql_statements(table: str) -> list[str]:
    return [
        f'CREATE OR REPLACE TRIGGER "{_TRIGGER_PREFIX}" '
        f'AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {_TRIGGER_PREFIX}()"
    ]


POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {_TRIGGER_PREFIX}() RETURNS trigger AS $$
BEGIN
    UPDATE {DataGeneration._meta.db_table}
    SET token = md5(random()::text || clock_timestamp()::text)
    WHERE id = {TOKEN_ROW};
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""


def install_triggers(using=None, **kwargs) -> None:
    """Create the token's row and a trigger on every watched table (safe to run again)."""
    db = connections[using] if using else connection
    existing = set(db.introspection.table_names())
    if DataGeneration._meta.db_table not in existing:
        return  # not migrated this far yet
    DataGeneration.objects.using(db.alias).get_or_create(pk=TOKEN_ROW)
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTION)
        for table in watched_tables():
            if table not in existing:
                continue
            if db.vendor == "sqlite":
                statements = _sqlite_statements(table)
            elif db.vendor == "postgresql":
                statements = _postgresql_statements(table)
            else:
                raise NotImplementedError(f"No data-generation triggers for {db.vendor}.")
            for statement in statements:
                cursor.execute(statement)
