"""Database tables. Only :mod:`vnform.store` uses these; everything else goes through it.

Tortoise copies class docstrings and ``#:`` comments into SQL comments, and its SQLite
migration runner splits statements at every semicolon, comments included: keep
semicolons out of those texts.

Three more tables hold what results read: the tallies (``tally``, ``form_tally``) and
the answer sheets (``answer_sheet``). They are keyed by several columns, which a model
cannot say, so migration 0005 creates them in SQL, and :mod:`vnform.store.tallies` and
:mod:`vnform.store.sheets` read and write them.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class FormVersion(Model):
    """One version of a form's definition, stored once, so old answers stay readable."""

    id = fields.IntField(primary_key=True)
    form_id = fields.CharField(max_length=80)
    version = fields.CharField(max_length=16)
    definition = fields.JSONField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "form_version"
        unique_together = (("form_id", "version"),)


class Response(Model):
    """One citizen's submitted answers to one form."""

    id = fields.BigIntField(primary_key=True)
    form_id = fields.CharField(max_length=80)
    form_version = fields.CharField(max_length=16)
    #: The one-time token of the rendered form: posting twice stores one response.
    token = fields.CharField(max_length=64, unique=True)
    language = fields.CharField(max_length=8)
    submitted_at = fields.DatetimeField()
    #: The case file (ma ho so) rated, when the citizen came through a case invitation.
    case_code = fields.CharField(max_length=100, null=True)
    #: The code the citizen reads on the thank-you page (vnform.references), for officials
    #: to find the response by. Not unique: 40 bits, and millions of responses.
    reference_code = fields.CharField(max_length=8, null=True)
    #: The personal-data notice (a form with personal-data questions): consent given
    #: (True), declined (False: nothing personal was stored) or not asked (None); the
    #: SHA-256 of the notice's text the citizen read, and when.
    consent = fields.BooleanField(null=True)
    consent_notice = fields.CharField(max_length=64, null=True)
    consent_at = fields.DatetimeField(null=True)
    #: The separate, optional consent to be contacted again (None: not asked).
    contact_consent = fields.BooleanField(null=True)
    #: SHA-256 of the secret of the private link a citizen gets (/r/<reference>?k=<secret>).
    link_hash = fields.CharField(max_length=64, null=True)
    #: When its personal-data answers were erased (retention ended, or the citizen or an
    #: official erased them); None while they are kept.
    erased_at = fields.DatetimeField(null=True)

    class Meta:
        table = "response"
        #: A case is rated once per form (NULLs, responses without a case, never clash).
        unique_together = (("form_id", "case_code"),)
        indexes = (
            Index(fields=("form_id", "submitted_at"), name="response_form_time"),
            # Exports and lists page through one form's responses by id.
            Index(fields=("form_id", "id"), name="response_form_id"),
            # An official's lookup of a reference code, across forms.
            Index(fields=("reference_code",), name="response_reference"),
        )


class Answer(Model):
    """One answer: a row per question (per chosen value for multiple choice, per matrix row)."""

    id = fields.BigIntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "vnform.Response", related_name="answers", on_delete=fields.CASCADE, db_index=False
    )
    form_id = fields.CharField(max_length=80)
    #: Question id, or ``question.row`` for a matrix row.
    question = fields.CharField(max_length=130)
    #: Short answers (choice codes, numbers, dates, yes/no): grouped and counted in SQL.
    value = fields.CharField(max_length=100, null=True)
    #: The numeric reading of `value`, for means and ranges.
    number = fields.FloatField(null=True)
    #: Free text (text, textarea, email, phone), kept out of the counted column.
    text = fields.TextField(null=True)

    class Meta:
        table = "answer"
        indexes = (
            # Made for segments ("those who answered X"): the responses that gave an
            # answer, read from the index alone, in order of response.
            Index(fields=("form_id", "question", "value", "response_id"), name="answer_segment"),
            # A response's answers (the export, a response's page, deletion), and for a
            # segment the answers of its responses, all read from the index alone.
            Index(fields=("response_id", "question", "value"), name="answer_response"),
        )


class Draft(Model):
    """Answers of a multi-page form between pages, keyed by the form's one-time token."""

    token = fields.CharField(max_length=64, primary_key=True)
    form_id = fields.CharField(max_length=80)
    form_version = fields.CharField(max_length=16)
    answers = fields.JSONField(default=dict)
    #: Index of the furthest page the citizen may open (all before it were accepted).
    reached = fields.IntField(default=0)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "draft"


class User(Model):
    """An official who signs in to see results."""

    id = fields.IntField(primary_key=True)
    #: Stored lowercased: one account per address, whatever the case typed.
    email = fields.CharField(max_length=254, unique=True)
    password_hash = fields.CharField(max_length=255)
    #: ``admin`` sees every form, ``analyst`` only those of `agencies`.
    role = fields.CharField(max_length=16)
    agencies = fields.JSONField(default=list)
    disabled = fields.BooleanField(default=False)
    #: May see personal-data answers unmasked (granted by an administrator).
    personal_data = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "app_user"


class UserSession(Model):
    """A signed-in official session, so that sign-out and disabling end it on the server."""

    #: SHA-256 of the token in the cookie: a copy of this table opens no session.
    id = fields.CharField(max_length=64, primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "vnform.User", related_name="sessions", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "user_session"


class LoginFailure(Model):
    """A failed sign-in, counted per account and per address to throttle guessing."""

    id = fields.BigIntField(primary_key=True)
    #: ``email:<address>`` or ``ip:<address>``.
    key = fields.CharField(max_length=300)
    at = fields.DatetimeField()

    class Meta:
        table = "login_failure"
        indexes = (Index(fields=("key", "at"), name="login_failure_key_at"),)


class AuditEvent(Model):
    """Who did what: sign-ins, sign-outs, exports, user changes."""

    id = fields.BigIntField(primary_key=True)
    at = fields.DatetimeField()
    #: Email of the official, or the operating-system user for command-line changes.
    actor = fields.CharField(max_length=254, null=True)
    action = fields.CharField(max_length=40)
    form_id = fields.CharField(max_length=80, null=True)
    details = fields.JSONField(default=dict)
    address = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "audit_event"
        indexes = (Index(fields=("at",), name="audit_event_at"),)


class Invitation(Model):
    """A single-use link to rate one case file with one form."""

    id = fields.IntField(primary_key=True)
    form_id = fields.CharField(max_length=80)
    case_code = fields.CharField(max_length=100)
    #: SHA-256 of the token in the link: a copy of this table opens no link.
    token_digest = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=254, null=True)
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "invitation"
        indexes = (Index(fields=("form_id", "case_code"), name="invitation_form_case"),)


class ApiToken(Model):
    """A credential for another system (e.g. the measurement platform) to call the API."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=80, unique=True)
    token_digest = fields.CharField(max_length=64, unique=True)
    #: Agencies whose forms it may read and invite for, empty for all of them.
    agencies = fields.JSONField(default=list)
    created_at = fields.DatetimeField()
    last_used_at = fields.DatetimeField(null=True)
    revoked = fields.BooleanField(default=False)

    class Meta:
        table = "api_token"


class FlaggedSubmission(Model):
    """A submission that looked automated (a filled-in honeypot, sent too fast): kept,
    apart from the responses, so that no count, indicator or default export includes it."""

    id = fields.BigIntField(primary_key=True)
    form_id = fields.CharField(max_length=80, db_index=True)
    form_version = fields.CharField(max_length=16)
    #: The form's one-time token: sending again is answered as done, and stores nothing.
    token = fields.CharField(max_length=64, unique=True)
    language = fields.CharField(max_length=8)
    submitted_at = fields.DatetimeField()
    #: Why it was set apart: ``honeypot`` or ``too_fast``.
    reason = fields.CharField(max_length=20)
    #: The answers sent, or null while a visit that tripped the honeypot has not sent the
    #: form yet (kept here, not in its cookie, which a bot could send again unmarked).
    answers = fields.JSONField(null=True)

    class Meta:
        table = "flagged_submission"


class SubmissionMark(Model):
    """One submission from one address to one form, for the per-address rate limit
    (kept an hour). The key is an HMAC of form and address: no address is stored."""

    id = fields.BigIntField(primary_key=True)
    key = fields.CharField(max_length=64)
    at = fields.DatetimeField()

    class Meta:
        table = "submission_mark"
        indexes = (Index(fields=("key", "at"), name="submission_mark_key_at"),)


class FormDesign(Model):
    """A form kept in the database (designed in the browser, or pushed from a file): its
    state and which of its revisions is live and which is the draft."""

    #: The form's id, unique across the database and the forms folder.
    id = fields.CharField(max_length=80, primary_key=True)
    agency = fields.CharField(max_length=80, db_index=True)
    #: ``draft`` (never published), ``live``, ``closed`` or ``archived``.
    state = fields.CharField(max_length=16)
    live_revision = fields.BigIntField(null=True)
    draft_revision = fields.BigIntField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "form_design"


class FormRevision(Model):
    """One saved text of a form's YAML, verbatim, with who saved it and when."""

    id = fields.BigIntField(primary_key=True)
    form_id = fields.CharField(max_length=80)
    source = fields.TextField()
    author = fields.CharField(max_length=254)
    created_at = fields.DatetimeField()
    #: When it went live (null: it never did).
    published_at = fields.DatetimeField(null=True)

    class Meta:
        table = "form_revision"
        indexes = (Index(fields=("form_id", "id"), name="form_revision_form"),)


class FormsGeneration(Model):
    """One row, counting the changes to the forms served (a publish, a close...): every
    server polls it and reloads the database's forms when it moves."""

    id = fields.IntField(primary_key=True)
    generation = fields.BigIntField(default=0)

    class Meta:
        table = "forms_generation"


class TestResponse(Model):
    """Answers sent from an official's preview of a form: kept apart from the responses,
    so that no result, export, indicator or open data counts them; deletable."""

    id = fields.BigIntField(primary_key=True)
    form_id = fields.CharField(max_length=80, db_index=True)
    form_version = fields.CharField(max_length=16)
    #: The preview's one-time token: sending again stores nothing more.
    token = fields.CharField(max_length=64, unique=True)
    language = fields.CharField(max_length=8)
    submitted_at = fields.DatetimeField()
    answers = fields.JSONField()
    #: The official who previewed the form.
    author = fields.CharField(max_length=254)

    class Meta:
        table = "test_response"


class JobRun(Model):
    """One run of a daily job. The first process to insert (job, day) runs it, and the
    others, in this or any other instance, find the row and do not."""

    id = fields.BigIntField(primary_key=True)
    job = fields.CharField(max_length=40)
    day = fields.CharField(max_length=10)
    started_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)
    #: What it did, for the operator (counts only, never a value).
    outcome = fields.JSONField(null=True)

    class Meta:
        table = "job_run"
        unique_together = (("job", "day"),)


class Comment(Model):
    """A comment on the draft of a consultation, on one article or on the whole draft, sent
    with the response that holds the other answers of the commenter (deleted with it)."""

    id = fields.BigIntField(primary_key=True)
    response: fields.ForeignKeyRelation[Response] = fields.ForeignKeyField(
        "vnform.Response", related_name="comments", on_delete=fields.CASCADE, db_index=False
    )
    form_id = fields.CharField(max_length=80)
    #: The id of the article (dieu-3), or general for the whole draft.
    article = fields.CharField(max_length=80)
    #: agree, disagree or amend (none on a general comment that takes no stance).
    stance = fields.CharField(max_length=16, null=True)
    #: individual, organisation or agency.
    commenter_type = fields.CharField(max_length=16)
    text = fields.TextField(null=True)
    #: The wording proposed instead (an amend comment).
    proposal = fields.TextField(null=True)
    submitted_at = fields.DatetimeField()
    #: A hash of the article, stance and wording as normalised: identical and nearly
    #: identical comments share it (and form one group).
    fingerprint = fields.CharField(max_length=32)
    #: pending, approved or hidden: the moderation of public comments.
    status = fields.CharField(max_length=16, default="pending")
    moderation_reason = fields.TextField(null=True)
    moderated_by = fields.CharField(max_length=254, null=True)
    moderated_at = fields.DatetimeField(null=True)
    #: The answer of the agency: accepted, explained or noted, with its text.
    answer = fields.CharField(max_length=16, null=True)
    answer_text = fields.TextField(null=True)
    answered_by = fields.CharField(max_length=254, null=True)
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "comment"
        indexes = (
            Index(fields=("form_id", "article", "id"), name="comment_form_article"),
            Index(fields=("form_id", "fingerprint"), name="comment_form_fingerprint"),
            Index(fields=("response_id",), name="comment_response"),
        )


class CommentTag(Model):
    """A tag an official put on a comment, to sort the comments of a consultation."""

    id = fields.BigIntField(primary_key=True)
    comment: fields.ForeignKeyRelation[Comment] = fields.ForeignKeyField(
        "vnform.Comment", related_name="tags", on_delete=fields.CASCADE, db_index=False
    )
    form_id = fields.CharField(max_length=80)
    tag = fields.CharField(max_length=60)

    class Meta:
        table = "comment_tag"
        unique_together = (("comment_id", "tag"),)
        indexes = (Index(fields=("form_id", "tag"), name="comment_tag_form_tag"),)


class SynthesisPublication(Model):
    """A consultation whose synthesis of comments (with the revised draft) is public."""

    form_id = fields.CharField(max_length=80, primary_key=True)
    published_at = fields.DatetimeField()
    published_by = fields.CharField(max_length=254)

    class Meta:
        table = "synthesis_publication"
