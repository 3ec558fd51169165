"""Report figures for the Prometheus endpoint, read from the database at each scrape.

Read from the rows rather than counted in a process, so every web node reports the same numbers
whichever worker rendered the report. Listed in ``settings.METRICS_COLLECTORS``.

Example output::

    tekigo_report_queue_depth{status="queued"} 3.0
    tekigo_report_render_seconds_count 120.0
    tekigo_report_render_seconds_sum 96.4
"""

from __future__ import annotations

from django.db.models import Count, Sum
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily
from prometheus_client.registry import Collector

from reports.models import Report, ReportStatus


class ReportCollector(Collector):
    def collect(self):
        depth = GaugeMetricFamily(
            "tekigo_report_queue_depth",
            "Reports waiting for or being rendered by a worker.",
            labels=["status"],
        )
        counts = dict(
            Report.objects.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RENDERING])
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        for status in (ReportStatus.QUEUED, ReportStatus.RENDERING):
            depth.add_metric([status.value], counts.get(status.value, 0))
        yield depth
        totals = Report.objects.filter(
            status=ReportStatus.READY, render_seconds__isnull=False
        ).aggregate(n=Count("id"), seconds=Sum("render_seconds"))
        render = SummaryMetricFamily(
            "tekigo_report_render_seconds",
            "Seconds spent rendering report PDFs (WeasyPrint and signing), over ready reports.",
        )
        render.add_metric([], count_value=totals["n"] or 0, sum_value=totals["seconds"] or 0.0)
        yield render
