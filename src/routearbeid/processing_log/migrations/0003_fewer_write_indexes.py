"""Fewer writes per processing-log record (issue #7): every page that shows youth writes one
record per youth shown, and each record went into eight indexes and checked two foreign keys.

- The single-column indexes on the subject and on the organisation go: the (subject, at) and
  (organisation, subject) indexes serve every query of the log.
- The trace id keeps one plain index (`processing_log_trace_idx`); the LIKE-pattern twin that
  PostgreSQL got with it is dropped. On PostgreSQL the plain index is renamed, not built again
  (a large log would take minutes); elsewhere it is made anew.
- The actor and organisation keep their ids and Django's PROTECT, without a database constraint.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TRACE_INDEX = "processing_log_trace_idx"


def _trace_indexes(schema_editor, table: str) -> list[str]:
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    return sorted(
        name
        for name, info in constraints.items()
        if info["index"] and not info["primary_key"] and info["columns"] == ["trace_id"]
    )


def trace_index_forward(apps, schema_editor):
    model = apps.get_model("processing_log", "ProcessingLogRecord")
    table = model._meta.db_table
    names = [n for n in _trace_indexes(schema_editor, table) if n != TRACE_INDEX]
    quote = schema_editor.quote_name
    # On PostgreSQL the first plain index is kept and renamed; every other one is dropped.
    kept = None
    if schema_editor.connection.vendor == "postgresql":
        kept = next((n for n in names if not n.endswith("_like")), None)
    for name in names:
        if name != kept:
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    if kept:
        schema_editor.execute(f"ALTER INDEX {quote(kept)} RENAME TO {quote(TRACE_INDEX)}")
    else:
        schema_editor.add_index(model, models.Index(fields=["trace_id"], name=TRACE_INDEX))


def trace_index_backward(apps, schema_editor):
    """The index (and on PostgreSQL its LIKE twin) that db_index=True makes, as before."""
    model = apps.get_model("processing_log", "ProcessingLogRecord")
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(TRACE_INDEX)}")
    field = models.CharField(max_length=32, db_index=True)
    field.set_attributes_from_name("trace_id")
    field.model = model
    for statement in schema_editor._field_indexes_sql(model, field):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("organisations", "0005_region_setting_limits"),
        ("processing_log", "0002_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="processinglogrecord",
            name="actor",
            field=models.ForeignKey(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="processinglogrecord",
            name="organisation",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="processinglogrecord",
            name="subject_student_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="processinglogrecord",
                    name="trace_id",
                    field=models.CharField(max_length=32),
                ),
                migrations.AddIndex(
                    model_name="processinglogrecord",
                    index=models.Index(fields=["trace_id"], name=TRACE_INDEX),
                ),
            ],
            database_operations=[
                migrations.RunPython(trace_index_forward, trace_index_backward),
            ],
        ),
    ]
