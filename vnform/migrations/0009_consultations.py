from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('vnform', '0008_personal_data')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Comment',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response', fields.ForeignKeyField('vnform.Response', source_field='response_id', db_constraint=True, to_field='id', related_name='comments', on_delete=OnDelete.CASCADE)),
                ('form_id', fields.CharField(max_length=80)),
                ('article', fields.CharField(description='The id of the article (dieu-3), or general for the whole draft.', max_length=80)),
                ('stance', fields.CharField(null=True, description='agree, disagree or amend (none on a general comment that takes no stance).', max_length=16)),
                ('commenter_type', fields.CharField(description='individual, organisation or agency.', max_length=16)),
                ('text', fields.TextField(null=True, unique=False)),
                ('proposal', fields.TextField(null=True, description='The wording proposed instead (an amend comment).', unique=False)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('fingerprint', fields.CharField(description='A hash of the article, stance and wording as normalised: identical and nearly', max_length=32)),
                ('status', fields.CharField(default='pending', description='pending, approved or hidden: the moderation of public comments.', max_length=16)),
                ('moderation_reason', fields.TextField(null=True, unique=False)),
                ('moderated_by', fields.CharField(null=True, max_length=254)),
                ('moderated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answer', fields.CharField(null=True, description="The answer of the agency: accepted, explained or noted, with its text.", max_length=16)),
                ('answer_text', fields.TextField(null=True, unique=False)),
                ('answered_by', fields.CharField(null=True, max_length=254)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'comment', 'app': 'vnform', 'indexes': [Index(fields=['form_id', 'article', 'id'], name='comment_form_article'), Index(fields=['form_id', 'fingerprint'], name='comment_form_fingerprint'), Index(fields=['response_id'], name='comment_response')], 'pk_attr': 'id', 'table_description': "A comment on the draft of a consultation, on one article or on the whole draft, sent"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CommentTag',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('comment', fields.ForeignKeyField('vnform.Comment', source_field='comment_id', db_constraint=True, to_field='id', related_name='tags', on_delete=OnDelete.CASCADE)),
                ('form_id', fields.CharField(max_length=80)),
                ('tag', fields.CharField(max_length=60)),
            ],
            options={'table': 'comment_tag', 'app': 'vnform', 'unique_together': (('comment_id', 'tag'),), 'indexes': [Index(fields=['form_id', 'tag'], name='comment_tag_form_tag')], 'pk_attr': 'id', 'table_description': 'A tag an official put on a comment, to sort the comments of a consultation.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SynthesisPublication',
            fields=[
                ('form_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=80)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_by', fields.CharField(max_length=254)),
            ],
            options={'table': 'synthesis_publication', 'app': 'vnform', 'pk_attr': 'form_id', 'table_description': 'A consultation whose synthesis of comments (with the revised draft) is public.'},
            bases=['Model'],
        ),
    ]
