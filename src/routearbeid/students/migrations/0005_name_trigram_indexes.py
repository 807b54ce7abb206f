"""Trigram indexes for the youth search (issue #7), on PostgreSQL only.

The search keeps its meaning: every word in the first or the last name, case-insensitive,
anywhere in the name (Django's `icontains`, which PostgreSQL runs as
`UPPER("first_name"::text) LIKE UPPER('%word%')`). A B-tree index cannot serve a LIKE with a
leading wildcard, so without these the search reads every visible student. pg_trgm's GIN indexes
on exactly those expressions serve it for words of three letters or more (shorter words match
too many names for any index to help). SQLite (development, tests) has no pg_trgm: nothing is
done there, and the search is simply unindexed. pg_trgm is a trusted extension (PostgreSQL 13+),
so the database owner may create it.
"""

from django.db import migrations

INDEXES = {
    "student_first_name_trgm": "first_name",
    "student_last_name_trgm": "last_name",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON students_student "
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("students", "0004_list_indexes")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
