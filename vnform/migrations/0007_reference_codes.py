"""Reference codes on responses: the code a citizen reads on the thank-you page, stored so
that officials can find the response it names. Responses already stored get theirs from
their token, in batches, before the index is built (one build, not one update per row)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

#: Responses read and updated per statement: memory stays flat on millions of them.
BATCH = 10_000


async def fill_codes(apps, schema_editor):
    """Give every stored response the code of its token (vnform.references.code_of, the
    one the thank-you page showed), paging by id."""
    from vnform.references import code_of
    from vnform.store.database import placeholders

    client = schema_editor.client
    first, second = placeholders(client, 2)
    last = 0
    while True:
        _, rows = await client.execute_query(
            f'SELECT "id", "token" FROM "response" WHERE "id" > {first} '
            f'ORDER BY "id" LIMIT {second}', [last, BATCH])
        if not rows:
            return
        found = [tuple(row) for row in rows]
        await client.execute_many(
            f'UPDATE "response" SET "reference_code" = {first} WHERE "id" = {second}',
            [[code_of(token), response_id] for response_id, token in found])
        last = int(found[-1][0])


async def keep_codes(apps, schema_editor):
    """Going back, the column goes with its codes: nothing to undo here."""


class Migration(migrations.Migration):
    dependencies = [('vnform', '0006_designs')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Response',
            name='reference_code',
            field=fields.CharField(null=True, description='The code the citizen reads on the thank-you page (vnform.references), for officials', max_length=8),
        ),
        ops.RunPython(fill_codes, keep_codes),
        ops.AddIndex(
            model_name='Response',
            index=Index(fields=['reference_code'], name='response_reference'),
        ),
    ]
