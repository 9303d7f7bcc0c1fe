"""Tallies: counters kept as answers arrive (vnform.store.tallies), answer sheets and
answer indexes made for segments (vnform.store.sheets, vnform.store.segments). Written by hand: tortoise would rebuild the whole answer table on
SQLite to drop one index, and cannot create tables keyed by several columns."""

import os
from zoneinfo import ZoneInfo

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

#: The index tortoise made for the foreign key (the same name on every engine).
FOREIGN_KEY_INDEX = "idx_answer_respons_aae647"

TALLY = """
CREATE TABLE IF NOT EXISTS "tally" (
    "form_id" VARCHAR(80){c} NOT NULL,
    "question" VARCHAR(130){c} NOT NULL,
    "value" VARCHAR(100){c} NOT NULL,
    "day" VARCHAR(10){c} NOT NULL,
    "language" VARCHAR(8){c} NOT NULL,
    "form_version" VARCHAR(16){c} NOT NULL,
    "shard" SMALLINT NOT NULL DEFAULT 0,
    "n" BIGINT NOT NULL,
    PRIMARY KEY ("form_id", "question", "value", "day", "language", "form_version", "shard")
){options}
"""
FORM_TALLY = """
CREATE TABLE IF NOT EXISTS "form_tally" (
    "form_id" VARCHAR(80){c} NOT NULL,
    "shard" SMALLINT NOT NULL DEFAULT 0,
    "responses" BIGINT NOT NULL,
    "changes" BIGINT NOT NULL,
    "last_at" {timestamp},
    "timezone" VARCHAR(64) NOT NULL,
    "layout" TEXT,
    PRIMARY KEY ("form_id", "shard")
){options}
"""


def answer_sheet(sqlite: bool) -> str:
    """One row per response (and part) with its answers as columns (vnform.sheets)."""
    from vnform.sheets import DATE_COLUMNS, MARK_COLUMNS, NUMBER_COLUMNS

    columns = [
        '"form_id" VARCHAR(80) NOT NULL',
        '"response_id" BIGINT NOT NULL REFERENCES "response" ("id") ON DELETE CASCADE',
        '"part" SMALLINT NOT NULL',
        '"form_version" VARCHAR(16) NOT NULL',
        '"day" VARCHAR(10) NOT NULL',
        '"language" VARCHAR(8) NOT NULL',
        *(f'"{c}" {"INTEGER" if sqlite else "SMALLINT"} NOT NULL DEFAULT 0'
          for c in MARK_COLUMNS),
        *(f'"{c}" {"REAL" if sqlite else "DOUBLE PRECISION"}' for c in NUMBER_COLUMNS),
        *(f'"{c}" VARCHAR(10)' for c in DATE_COLUMNS),
        # A form's sheets together, in order of response: a large segment is read in
        # one sweep, a small one row by row.
        'PRIMARY KEY ("form_id", "response_id", "part")',
    ]
    return (f'CREATE TABLE IF NOT EXISTS "answer_sheet" ({", ".join(columns)})'
            + (" WITHOUT ROWID" if sqlite else ""))


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
    """Create the tally and sheet tables, and count every response already stored, by day
    in the deployment's time zone (VNFORM_TIMEZONE, as `vnform migrate` runs with it)."""
    from vnform.settings import Settings
    from vnform.store import tallies

    client = schema_editor.client
    sqlite = client.capabilities.dialect == "sqlite"
    # SQLite: a form's counters together in key order. PostgreSQL: keys compared byte
    # by byte (codes, not words: no locale's rules to apply at every index step), and
    # room on each page, so that increments are heap-only updates that stay compact
    # without autovacuum.
    await client.execute_script(TALLY.format(
        c="" if sqlite else ' COLLATE "C"',
        options=" WITHOUT ROWID" if sqlite else " WITH (fillfactor = 70)"))
    await client.execute_script(FORM_TALLY.format(
        c="" if sqlite else ' COLLATE "C"', timestamp="TIMESTAMP" if sqlite else "TIMESTAMPTZ",
        options=" WITHOUT ROWID" if sqlite else " WITH (fillfactor = 70)"))
    await client.execute_script(answer_sheet(sqlite))
    zone = ZoneInfo(os.environ.get("VNFORM_TIMEZONE") or Settings().timezone)
    await tallies.rebuild(zone, conn=client)
    await client.execute_script("ANALYZE")


async def drop_tallies(apps, schema_editor):
    await schema_editor.client.execute_script('DROP TABLE IF EXISTS "answer_sheet"')
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
