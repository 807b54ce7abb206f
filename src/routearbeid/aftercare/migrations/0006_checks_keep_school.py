# Written for issue #7: the new column is added empty, filled from each check-in's case, and only
# then made required; then the index that reads a school's open check-ins.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery


def fill_from_case(apps, schema_editor):
    """Every check-in gets the school of its case's student (one UPDATE; a correlated subquery
    works on SQLite and PostgreSQL)."""
    Case = apps.get_model("route", "Case")
    AftercareCheck = apps.get_model("aftercare", "AftercareCheck")
    if schema_editor.connection.vendor == "postgresql":
        # the foreign keys are deferred: checked now, so that no trigger event is pending when
        # the column is made required below, in the same transaction
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    case = Case.objects.filter(pk=OuterRef("case_id"))
    AftercareCheck.objects.using(schema_editor.connection.alias).update(
        school_id=Subquery(case.values("student__school_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("aftercare", "0005_fewer_write_indexes"),
        ("organisations", "0005_region_setting_limits"),
        ("route", "0004_links_keep_student_region"),
        ("students", "0005_name_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="aftercarecheck",
            name="school",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.RunPython(fill_from_case, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="aftercarecheck",
            name="school",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organisations.organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="aftercarecheck",
            index=models.Index(
                condition=Q(recorded_on__isnull=True),
                fields=["school", "due_on", "id"],
                name="check_school_open_idx",
            ),
        ),
    ]
