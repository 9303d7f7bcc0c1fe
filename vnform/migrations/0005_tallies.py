"""Tallies: counters kept as answers arrive (vnform.store.tallies), and answer indexes
made for segments. Written by hand: tortoise would rebuild the whole answer table on
SQLite to drop one index, and cannot create tables keyed by several columns."""

import os
from zoneinfo import ZoneInfo

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

#: The index tortoise made for the foreign key (the same name on every engine).
FOREIGN_KEY_INDEX = "idx_answer_respons_aae647"

TALLY_SQLITE = """
CREATE TABLE IF NOT EXISTS "tally" (
    "form_id" VARCHAR(80) NOT NULL,
    "question" VARCHAR(130) NOT NULL,
    "value" VARCHAR(100) NOT NULL,
    "day" VARCHAR(10) NOT NULL,
    "language" VARCHAR(8) NOT NULL,
    "form_version" VARCHAR(16) NOT NULL,
    "n" BIGINT NOT NULL,
    PRIMARY KEY ("form_id", "question", "value", "day", "language", "form_version")
) WITHOUT ROWID
"""
TALLY_POSTGRES = """
CREATE TABLE IF NOT EXISTS "tally" (
    "form_id" VARCHAR(80) NOT NULL,
    "question" VARCHAR(130) NOT NULL,
    "value" VARCHAR(100) NOT NULL,
    "day" VARCHAR(10) NOT NULL,
    "language" VARCHAR(8) NOT NULL,
    "form_version" VARCHAR(16) NOT NULL,
    "n" BIGINT NOT NULL,
    PRIMARY KEY ("form_id", "question", "value", "day", "language", "form_version")
) WITH (fillfactor = 70)
"""
FORM_TALLY = """
CREATE TABLE IF NOT EXISTS "form_tally" (
    "form_id" VARCHAR(80) NOT NULL PRIMARY KEY,
    "responses" BIGINT NOT NULL,
    "changes" BIGINT NOT NULL,
    "last_at" {timestamp},
    "timezone" VARCHAR(64) NOT NULL
){options}
"""


class DropForeignKeyIndex(ops.AlterField):
    """AlterField's change of state (the key loses its own index), done with one DROP
    INDEX: ``answer_response`` starts with the same column and serves instead."""

    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor._run_sql(f'DROP INDEX IF EXISTS "{FOREIGN_KEY_INDEX}"')

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor:
            await state_editor._run_sql(
                f'CREATE INDEX IF NOT EXISTS "{FOREIGN_KEY_INDEX}" ON "answer" ("response_id")')


async def create_tallies(apps, schema_editor):
    """Create the tally tables and count every response already stored, by day in the
    deployment's time zone (VNFORM_TIMEZONE, as `vnform migrate` runs with it)."""
    from vnform.settings import Settings
    from vnform.store import tallies

    client = schema_editor.client
    sqlite = client.capabilities.dialect == "sqlite"
    await client.execute_script(TALLY_SQLITE if sqlite else TALLY_POSTGRES)
    await client.execute_script(FORM_TALLY.format(
        timestamp="TIMESTAMP" if sqlite else "TIMESTAMPTZ",
        options=" WITHOUT ROWID" if sqlite else " WITH (fillfactor = 70)"))
    zone = ZoneInfo(os.environ.get("VNFORM_TIMEZONE") or Settings().timezone)
    await tallies.rebuild(zone, conn=client)
    await client.execute_script("ANALYZE")


async def drop_tallies(apps, schema_editor):
    await schema_editor.client.execute_script('DROP TABLE IF EXISTS "tally"')
    await schema_editor.client.execute_script('DROP TABLE IF EXISTS "form_tally"')


class Migration(migrations.Migration):
    dependencies = [("vnform", "0004_abuse")]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name="Answer",
            name="answer_form_question",
            fields=None,
        ),
        DropForeignKeyIndex(
            model_name="Answer",
            name="response",
            field=fields.ForeignKeyField("vnform.Response", source_field="response_id",
                                         db_constraint=True, to_field="id",
                                         related_name="answers", on_delete=OnDelete.CASCADE),
        ),
        ops.AddIndex(
            model_name="Answer",
            index=Index(fields=["form_id", "question", "value", "response_id"],
                        name="answer_segment"),
        ),
        ops.AddIndex(
            model_name="Answer",
            index=Index(fields=["response_id", "question", "value"], name="answer_response"),
        ),
        ops.RunPython(create_tallies, drop_tallies),
    ]
