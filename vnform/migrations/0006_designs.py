from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('vnform', '0005_tallies')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FormDesign',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, description="The form's id, unique across the database and the forms folder.", max_length=80)),
                ('agency', fields.CharField(db_index=True, max_length=80)),
                ('state', fields.CharField(description='``draft`` (never published), ``live``, ``closed`` or ``archived``.', max_length=16)),
                ('live_revision', fields.BigIntField(null=True)),
                ('draft_revision', fields.BigIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'form_design', 'app': 'vnform', 'pk_attr': 'id', 'table_description': 'A form kept in the database (designed in the browser, or pushed from a file): its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FormRevision',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('form_id', fields.CharField(max_length=80)),
                ('source', fields.TextField(unique=False)),
                ('author', fields.CharField(max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, description='When it went live (null: it never did).', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'form_revision', 'app': 'vnform', 'indexes': [Index(fields=['form_id', 'id'], name='form_revision_form')], 'pk_attr': 'id', 'table_description': "One saved text of a form's YAML, verbatim, with who saved it and when."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FormsGeneration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('generation', fields.BigIntField(default=0)),
            ],
            options={'table': 'forms_generation', 'app': 'vnform', 'pk_attr': 'id', 'table_description': 'One row, counting the changes to the forms served (a publish, a close...): every'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TestResponse',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('form_id', fields.CharField(db_index=True, max_length=80)),
                ('form_version', fields.CharField(max_length=16)),
                ('token', fields.CharField(unique=True, description="The preview's one-time token: sending again stores nothing more.", max_length=64)),
                ('language', fields.CharField(max_length=8)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answers', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('author', fields.CharField(description='The official who previewed the form.', max_length=254)),
            ],
            options={'table': 'test_response', 'app': 'vnform', 'pk_attr': 'id', 'table_description': "Answers sent from an official's preview of a form: kept apart from the responses,"},
            bases=['Model'],
        ),
    ]
