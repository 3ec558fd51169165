"""Render one report in a fresh process and print JSON: pages, seconds, peak memory, and the
same HTML through WeasyPrint alone. Called by bench.py (a subprocess keeps peak memory honest).

    uv run --frozen python bench/render_one.py ASSESSMENT_ID LANG [--repeat N] [--profile FILE]

Each repeat renders one new report through the whole pipeline (``report_render``: snapshot
load, template, WeasyPrint, signature, storage, row update) and then the same HTML through
WeasyPrint alone with the same output options (PDF/A-2u, tagged); the figures are medians.
Both run as the worker runs them, with the cyclic garbage collector paused
(``reports.rendering.collector_paused``) and timed until the report is ready; the one
collection that follows is given on its own (``collect_after_ready_s``).
WeasyPrint alone is called with the same room on Python's frame stack as the pipeline gives it
(``portal.stack.call_with_stack_room``), and once more plainly, as any program would call
it (``weasyprint_plain_cpu_s``, ``ratio_plain_cpu``): on Python 3.11 a plain call's time swings
by up to a sixth with how deep it is made, which the minor page faults show
(``weasyprint_inside_faults`` and ``weasyprint_alone_faults``, both with the room).
Wall time (``perf_counter``) and CPU time of this process (``process_time``) are both given:
on a shared machine the CPU time is the fairer comparison. ``own_over_weasyprint`` is the
steadiest figure: the pipeline's CPU time outside WeasyPrint over WeasyPrint's, both measured
inside the same ``report_render`` call, so run-to-run noise of the layout does not enter it.
``--profile FILE`` also writes a cProfile of one more pipeline run to FILE and prints its top
entries on stderr.
"""

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")
import django  # noqa: E402

django.setup()

from weasyprint import HTML  # noqa: E402

from assessments.models import Assessment  # noqa: E402
from portal.models import User  # noqa: E402
from portal.stack import call_with_stack_room  # noqa: E402
from reports.rendering import (  # noqa: E402
    BASE_URL,
    PDF_OPTIONS,
    StaticOnlyFetcher,
    collector_paused,
    report_html_render,
    report_pdf_finisher,
    report_pdf_render,
)
from reports.services import report_meta, report_render, report_request  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("assessment_id", type=int)
parser.add_argument("language")
parser.add_argument("--repeat", type=int, default=1)
parser.add_argument("--profile", default="")
args = parser.parse_args()

assessment = Assessment.objects.select_related("organisation").get(pk=args.assessment_id)
# The bench data set has "loadtest"; the demo data (seed_demo) has "officer".
actor = User.objects.filter(username__in=("loadtest", "officer")).order_by("username").first()
# Warm up fonts and caches once, untimed, so that neither measurement pays for the first load.
HTML(string="<p style='font-family: Noto Sans CJK JP'>準備 warm-up</p>").write_pdf(io.BytesIO())


def collection_timed(collected: list):
    """``gc.collect`` that records its wall and CPU time in ``collected``."""
    real = gc.collect

    def timed(*args):
        wall, cpu = time.perf_counter(), time.process_time()
        result = real(*args)
        collected.append((time.perf_counter() - wall, time.process_time() - cpu))
        return result

    return mock.patch("gc.collect", timed)


def pipeline_once():
    """One report through ``report_render``: wall and CPU time until the report is ready, the
    CPU time of the WeasyPrint step inside it (so the pipeline's own share is measured in the
    same run), and the garbage collection that ``collector_paused`` runs after the report is
    marked ready (the worker pays it; the person waiting does not)."""
    rendered, collected = [], []

    def keep(**kwargs):
        before = resource.getrusage(resource.RUSAGE_SELF)
        rendered.append(report_pdf_render(**kwargs))
        runs["inside_faults"].append(_faults_since(before))
        return rendered[-1]

    report = report_request(actor=actor, assessment=assessment, language=args.language)
    # The request runs in the web process, not in the worker: its garbage is not the render's.
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    with mock.patch("reports.services.report_pdf_render", keep), collection_timed(collected):
        report = report_render(report_id=report.pk, worker="bench:1")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    collect_wall, collect_cpu = (sum(column) for column in zip(*collected))
    return report, wall - collect_wall, cpu - collect_cpu, rendered[0].cpu_seconds, collect_wall


def _faults_since(before) -> int:
    """Minor page faults of this process since ``before`` (a ``getrusage`` result): pages the
    kernel had to map and zero because the process touched memory it did not hold yet."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before.ru_minflt


def alone_once(html: str, *, room: bool):
    """``html`` through WeasyPrint alone, called with the same stack room as the pipeline's
    WeasyPrint step (``room``) or plainly, as any program would call it."""

    def weasyprint():
        HTML(string=html, base_url=BASE_URL, url_fetcher=StaticOnlyFetcher()).write_pdf(
            io.BytesIO(), finisher=report_pdf_finisher, **PDF_OPTIONS
        )

    gc.collect()  # the same clean start as the pipeline
    collected = []
    # Under the same collector policy as the pipeline, and timed up to the same point.
    with collection_timed(collected), collector_paused():
        before = resource.getrusage(resource.RUSAGE_SELF)
        wall, cpu = time.perf_counter(), time.process_time()
        call_with_stack_room(weasyprint) if room else weasyprint()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if room:
            runs["alone_faults"].append(_faults_since(before))
    return wall, cpu


runs = {
    "pipeline_wall": [],
    "pipeline_cpu": [],
    "inside_cpu": [],
    "own_cpu": [],
    "collect_wall": [],
    "alone_wall": [],
    "alone_cpu": [],
    "plain_cpu": [],
    "inside_faults": [],
    "alone_faults": [],
}


def alone_run(report) -> None:
    html = report_html_render(
        snapshot=report.snapshot,
        language=args.language,
        report_meta=report_meta(report),
        for_pdf=True,
    )
    wall, cpu = alone_once(html, room=True)
    runs["alone_wall"].append(wall)
    runs["alone_cpu"].append(cpu)
    runs["plain_cpu"].append(alone_once(html, room=False)[1])


report = None
for i in range(args.repeat):
    # Alternate the order (a render right after another one finds warmer caches).
    if i % 2:
        alone_run(report)
    report, wall, cpu, inside, collect = pipeline_once()
    runs["collect_wall"].append(collect)
    runs["pipeline_wall"].append(wall)
    runs["pipeline_cpu"].append(cpu)
    runs["inside_cpu"].append(inside)
    runs["own_cpu"].append(cpu - inside)
    if not i % 2:
        alone_run(report)

if args.profile:
    fresh = report_request(actor=actor, assessment=assessment, language=args.language)
    profiler = cProfile.Profile()
    profiler.runcall(report_render, report_id=fresh.pk, worker="bench:1")
    profiler.dump_stats(args.profile)
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)

median = {key: statistics.median(values) for key, values in runs.items()}
print(
    json.dumps(
        {
            "pages": report.pages,
            "status": report.status,
            "repeat": args.repeat,
            "pipeline_s": median["pipeline_wall"],
            "weasyprint_s": median["alone_wall"],
            "pipeline_cpu_s": median["pipeline_cpu"],
            "weasyprint_cpu_s": median["alone_cpu"],
            # The pipeline's own CPU time (everything but WeasyPrint), measured in the same run.
            "own_cpu_s": median["own_cpu"],
            "weasyprint_inside_cpu_s": median["inside_cpu"],
            # Freeing the render's garbage after the report is ready (on the worker's clock only).
            "collect_after_ready_s": median["collect_wall"],
            "own_over_weasyprint": median["own_cpu"] / median["inside_cpu"],
            "ratio_cpu": median["pipeline_cpu"] / median["alone_cpu"],
            "ratio_wall": median["pipeline_wall"] / median["alone_wall"],
            # WeasyPrint called plainly (without call_with_stack_room), and the pipeline over it.
            "weasyprint_plain_cpu_s": median["plain_cpu"],
            "ratio_plain_cpu": median["pipeline_cpu"] / median["plain_cpu"],
            # Minor page faults of the WeasyPrint step, inside the pipeline and alone (see above).
            "weasyprint_inside_faults": round(median["inside_faults"]),
            "weasyprint_alone_faults": round(median["alone_faults"]),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "loadavg": os.getloadavg()[0],
        }
    )
)
