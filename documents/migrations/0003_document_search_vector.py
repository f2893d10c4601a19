"""A stored full-text vector for each document, kept by a PostgreSQL trigger and served by a GIN index.

The 0002 index was on an expression: it let the planner find matches, but ranking them rebuilt every matching
document's vector from its text, which at 100,000 documents cost more than the search. The trigger fills the column
on every insert and on every change of number, title or search_text (also for COPY and bulk inserts, which no
Python code would see). Number and title weigh more than the text, so a title match ranks first. SQLite has no
tsvector: there the column stays empty and search falls back to substring matching (documents.search).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import migrations

TRIGGER = """
CREATE OR REPLACE FUNCTION documents_document_search_vector() RETURNS trigger AS $$
BEGIN
    NEW.search_vector :=
        setweight(to_tsvector('english'::regconfig,
                              NEW.number || ' ' || replace(NEW.number, '-', ' ') || ' ' || NEW.title), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.search_text, '')), 'D');
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER documents_document_search_vector
    BEFORE INSERT OR UPDATE OF number, title, search_text ON documents_document
    FOR EACH ROW EXECUTE FUNCTION documents_document_search_vector();
"""
BACKFILL = "UPDATE documents_document SET search_text = search_text"
INDEX = "CREATE INDEX document_search_vector_gin ON documents_document USING gin (search_vector)"
OLD_INDEX = (
    "CREATE INDEX IF NOT EXISTS document_search_text_gin ON documents_document "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))"
)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)
        schema_editor.execute(BACKFILL)
        schema_editor.execute(INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS document_search_text_gin")


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(OLD_INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS document_search_vector_gin")
        schema_editor.execute("DROP TRIGGER IF EXISTS documents_document_search_vector ON documents_document")
        schema_editor.execute("DROP FUNCTION IF EXISTS documents_document_search_vector()")


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_document_types_and_search_index")]
    operations = [
        migrations.AddField(
            model_name="document",
            name="search_vector",
            field=SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
