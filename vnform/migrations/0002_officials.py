from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('vnform', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.CharField(null=True, description='Email of the official, or the operating-system user for command-line changes.', max_length=254)),
                ('action', fields.CharField(max_length=40)),
                ('form_id', fields.CharField(null=True, max_length=80)),
                ('details', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('address', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'vnform', 'indexes': [Index(fields=['at'], name='audit_event_at')], 'pk_attr': 'id', 'table_description': 'Who did what: sign-ins, sign-outs, exports, user changes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LoginFailure',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(description='``email:<address>`` or ``ip:<address>``.', max_length=300)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'login_failure', 'app': 'vnform', 'indexes': [Index(fields=['key', 'at'], name='login_failure_key_at')], 'pk_attr': 'id', 'table_description': 'A failed sign-in, counted per account and per address to throttle guessing.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, description='Stored lowercased: one account per address, whatever the case typed.', max_length=254)),
                ('password_hash', fields.CharField(max_length=255)),
                ('role', fields.CharField(description='``admin`` sees every form, ``analyst`` only those of `agencies`.', max_length=16)),
                ('agencies', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('disabled', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'app_user', 'app': 'vnform', 'pk_attr': 'id', 'table_description': 'An official who signs in to see results.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='UserSession',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, description='SHA-256 of the token in the cookie: a copy of this table opens no session.', max_length=64)),
                ('user', fields.ForeignKeyField('vnform.User', source_field='user_id', db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('last_seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'user_session', 'app': 'vnform', 'pk_attr': 'id', 'table_description': 'A signed-in official session, so that sign-out and disabling end it on the server.'},
            bases=['Model'],
        ),
        ops.AddIndex(
            model_name='Response',
            index=Index(fields=['form_id', 'id'], name='response_form_id'),
        ),
    ]
