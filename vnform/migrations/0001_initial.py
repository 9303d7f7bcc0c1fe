from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Draft',
            fields=[
                ('token', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('form_id', fields.CharField(max_length=80)),
                ('form_version', fields.CharField(max_length=16)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('reached', fields.IntField(default=0, description='Index of the furthest page the citizen may open (all before it were accepted).')),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'draft', 'app': 'vnform', 'pk_attr': 'token', 'table_description': "Answers of a multi-page form between pages, keyed by the form's one-time token."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FormVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('form_id', fields.CharField(max_length=80)),
                ('version', fields.CharField(max_length=16)),
                ('definition', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'form_version', 'app': 'vnform', 'unique_together': (('form_id', 'version'),), 'pk_attr': 'id', 'table_description': "One version of a form's definition, stored once, so old answers stay readable."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Response',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('form_id', fields.CharField(max_length=80)),
                ('form_version', fields.CharField(max_length=16)),
                ('token', fields.CharField(unique=True, description='The one-time token of the rendered form: posting twice stores one response.', max_length=64)),
                ('language', fields.CharField(max_length=8)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'response', 'app': 'vnform', 'indexes': [Index(fields=['form_id', 'submitted_at'], name='response_form_time')], 'pk_attr': 'id', 'table_description': "One citizen's submitted answers to one form."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Answer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response', fields.ForeignKeyField('vnform.Response', source_field='response_id', db_index=True, db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('form_id', fields.CharField(max_length=80)),
                ('question', fields.CharField(description='Question id, or ``question.row`` for a matrix row.', max_length=130)),
                ('value', fields.CharField(null=True, description='Short answers (choice codes, numbers, dates, yes/no): grouped and counted in SQL.', max_length=100)),
                ('number', fields.FloatField(null=True, description='The numeric reading of `value`, for means and ranges.')),
                ('text', fields.TextField(null=True, description='Free text (text, textarea, email, phone), kept out of the counted column.', unique=False)),
            ],
            options={'table': 'answer', 'app': 'vnform', 'indexes': [Index(fields=['form_id', 'question', 'value'], name='answer_form_question')], 'pk_attr': 'id', 'table_description': 'One answer: a row per question (per chosen value for multiple choice, per matrix row).'},
            bases=['Model'],
        ),
    ]
