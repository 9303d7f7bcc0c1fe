from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

#: The counts of answers no longer stored (erased personal answers, responses a citizen
#: deleted): results and indicators keep counting them, and a recount of the raw answers
#: adds them back (vnform.store.erasure).
ERASED_TALLY = """
CREATE TABLE IF NOT EXISTS "erased_tally" (
    "form_id" VARCHAR(80){c} NOT NULL,
    "question" VARCHAR(130){c} NOT NULL,
    "value" VARCHAR(100){c} NOT NULL,
    "day" VARCHAR(10){c} NOT NULL,
    "language" VARCHAR(8){c} NOT NULL,
    "form_version" VARCHAR(16){c} NOT NULL,
    "n" BIGINT NOT NULL,
    PRIMARY KEY ("form_id", "question", "value", "day", "language", "form_version")
){options}
"""


async def create_erased_tally(apps, schema_editor):
    client = schema_editor.client
    sqlite = client.capabilities.dialect == "sqlite"
    await client.execute_script(ERASED_TALLY.format(
        c="" if sqlite else ' COLLATE "C"', options=" WITHOUT ROWID" if sqlite else ""))


async def drop_erased_tally(apps, schema_editor):
    await schema_editor.client.execute_script('DROP TABLE IF EXISTS "erased_tally"')


class Migration(migrations.Migration):
    dependencies = [('vnform', '0007_reference_codes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='JobRun',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('job', fields.CharField(max_length=40)),
                ('day', fields.CharField(max_length=10)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.JSONField(null=True, description='What it did, for the operator (counts only, never a value).', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'job_run', 'app': 'vnform', 'unique_together': (('job', 'day'),), 'pk_attr': 'id', 'table_description': 'One run of a daily job. The first process to insert (job, day) runs it, and the'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Response',
            name='consent',
            field=fields.BooleanField(null=True, description='The personal-data notice (a form with personal-data questions): consent given'),
        ),
        ops.AddField(
            model_name='Response',
            name='consent_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Response',
            name='consent_notice',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddField(
            model_name='Response',
            name='contact_consent',
            field=fields.BooleanField(null=True, description='The separate, optional consent to be contacted again (None: not asked).'),
        ),
        ops.AddField(
            model_name='Response',
            name='erased_at',
            field=fields.DatetimeField(null=True, description='When its personal-data answers were erased (retention ended, or the citizen or an', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Response',
            name='link_hash',
            field=fields.CharField(null=True, description='SHA-256 of the secret of the private link a citizen gets (/r/<reference>?k=<secret>).', max_length=64),
        ),
        ops.AddField(
            model_name='User',
            name='personal_data',
            field=fields.BooleanField(default=False, db_default=False, description='May see personal-data answers unmasked (granted by an administrator).'),
        ),
        ops.RunPython(create_erased_tally, drop_erased_tally),
    ]
