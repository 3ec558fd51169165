"""Give every report a verification code, existing reports included (each its own)."""

from django.db import migrations, models

import reports.models.reports


def fill_codes(apps, schema_editor):
    Report = apps.get_model("reports", "Report")
    for report in Report.objects.filter(verification_code__isnull=True).only("pk"):
        Report.objects.filter(pk=report.pk).update(
            verification_code=reports.models.reports.verification_code_new()
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="verification_code",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="report",
            name="verification_code",
            field=models.CharField(
                default=reports.models.reports.verification_code_new,
                editable=False,
                max_length=32,
                unique=True,
            ),
        ),
    ]
