"""Loads the ISO 9001:2015 clause catalogue (qms/data/iso9001_2015_clauses.csv), parents before children.

Re-running updates titles and documented information in place, so a corrected catalogue can ship as a new migration
that calls `load_catalogue` again.
"""

from django.db import migrations

from qms.clauses import read_catalogue


def clause_sort_key(number):
    # Frozen copy of qms.models.clause_sort_key: a migration must not change when the model code does.
    return ".".join(part.zfill(3) for part in number.split("."))


def load_catalogue(apps, schema_editor):
    Clause = apps.get_model("qms", "Clause")
    by_number = {}
    for row in read_catalogue():
        clause, _ = Clause.objects.update_or_create(
            number=row.number,
            defaults={
                "title": row.title,
                "parent": by_number.get(row.parent) if row.parent else None,
                "documented_information": row.documented_information,
                # Historical models do not run the model's save(), so the sort key is set here.
                "sort_key": clause_sort_key(row.number),
            },
        )
        by_number[row.number] = clause


def unload_catalogue(apps, schema_editor):
    Clause = apps.get_model("qms", "Clause")
    for clause in Clause.objects.order_by("-sort_key"):
        clause.delete()


class Migration(migrations.Migration):
    dependencies = [("qms", "0002_roles")]
    operations = [migrations.RunPython(load_catalogue, unload_catalogue)]
