"""The document types every QMS starts with (spec/api.md), and the full-text index on PostgreSQL.

The GIN index is created only on PostgreSQL (SQLite has no GIN); its expression is exactly what
`documents.search` asks for, so the planner can use it.
"""

from django.db import migrations

TYPES = [
    ("MAN", "Quality manual", 24),
    ("POL", "Policy", 24),
    ("SOP", "Standard operating procedure", 12),
    ("WI", "Work instruction", 12),
    ("FRM", "Form", 24),
    ("REC", "Record template", 24),
]

SEARCH_INDEXES = [
    "CREATE INDEX IF NOT EXISTS document_search_text_gin ON documents_document "
    "USING gin (to_tsvector('english'::regconfig, COALESCE(search_text, '')))",
    # Number prefixes ("SOP-00") are matched with UPPER(number) LIKE 'SOP-00%', which this index serves.
    "CREATE INDEX IF NOT EXISTS document_number_upper_idx ON documents_document (UPPER(number::text) text_pattern_ops)",
]


def create_types(apps, schema_editor):
    DocumentType = apps.get_model("documents", "DocumentType")
    for code, name, months in TYPES:
        DocumentType.objects.get_or_create(code=code, defaults={"name": name, "default_review_period_months": months})


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in SEARCH_INDEXES:
            schema_editor.execute(statement)


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS document_search_text_gin")
        schema_editor.execute("DROP INDEX IF EXISTS document_number_upper_idx")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]
    operations = [
        migrations.RunPython(create_types, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
    ]
