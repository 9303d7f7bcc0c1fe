from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('vnform', '0003_indicators')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FlaggedSubmission',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('form_id', fields.CharField(db_index=True, max_length=80)),
                ('form_version', fields.CharField(max_length=16)),
                ('token', fields.CharField(unique=True, description="The form's one-time token: sending again is answered as done, and stores nothing.", max_length=64)),
                ('language', fields.CharField(max_length=8)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.CharField(description='Why it was set apart: ``honeypot`` or ``too_fast``.', max_length=20)),
                ('answers', fields.JSONField(null=True, description='The answers sent, or null while a visit that tripped the honeypot has not sent the', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'flagged_submission', 'app': 'vnform', 'pk_attr': 'id', 'table_description': 'A submission that looked automated (a filled-in honeypot, sent too fast): kept,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SubmissionMark',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'submission_mark', 'app': 'vnform', 'indexes': [Index(fields=['key', 'at'], name='submission_mark_key_at')], 'pk_attr': 'id', 'table_description': 'One submission from one address to one form, for the per-address rate limit'},
            bases=['Model'],
        ),
    ]
