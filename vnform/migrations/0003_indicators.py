from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index
from tortoise.migrations.constraints import UniqueConstraint

class Migration(migrations.Migration):
    dependencies = [('vnform', '0002_officials')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ApiToken',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=80)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('agencies', fields.JSONField(default=list, description='Agencies whose forms it may read and invite for, empty for all of them.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked', fields.BooleanField(default=False)),
            ],
            options={'table': 'api_token', 'app': 'vnform', 'pk_attr': 'id', 'table_description': 'A credential for another system (e.g. the measurement platform) to call the API.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('form_id', fields.CharField(max_length=80)),
                ('case_code', fields.CharField(max_length=100)),
                ('token_digest', fields.CharField(unique=True, description='SHA-256 of the token in the link: a copy of this table opens no link.', max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(null=True, max_length=254)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'invitation', 'app': 'vnform', 'indexes': [Index(fields=['form_id', 'case_code'], name='invitation_form_case')], 'pk_attr': 'id', 'table_description': 'A single-use link to rate one case file with one form.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Response',
            name='case_code',
            field=fields.CharField(null=True, description='The case file (ma ho so) rated, when the citizen came through a case invitation.', max_length=100),
        ),
        ops.AddConstraint(
            model_name='Response',
            constraint=UniqueConstraint(fields=('form_id', 'case_code'), name=None),
        ),
    ]
