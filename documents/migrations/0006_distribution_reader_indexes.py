"""Indexes that read a department's or a role's distributed documents from the index alone.

"My work" and the register's "to read" ask, for one reader, every document distributed to their department and to
their roles. Django's own index on the department (or group) column of these automatic through tables points at the
rows, so that read visited a table page per document (750 pages for one department at 100,000 documents); with the
document id in the index it reads a few index pages. The through tables are Django's, so their indexes are SQL here
(the same statements on PostgreSQL and SQLite)."""

from django.db import migrations

INDEXES = {
    "distribution_department_reader_idx": ("documents_document_distribution_departments", "department_id"),
    "distribution_role_reader_idx": ("documents_document_distribution_roles", "group_id"),
}


class Migration(migrations.Migration):
    dependencies = [("documents", "0005_revision_imported_from")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} ON {table} ({reader}, document_id)",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, (table, reader) in INDEXES.items()
    ]
