"""Tekigo benchmarks at realistic scale. Prints a Markdown report of every figure.

./bench/run            (PostgreSQL, Redis, wrk and gunicorn, all on 127.0.0.1)
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")
import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from assessments.models import Assessment  # noqa: E402
from assessments.selectors import questionnaire_build  # noqa: E402
from bench.seed import PASSWORD, seed  # noqa: E402
from portal.models import AuditEvent, User  # noqa: E402
from reports.analysis import gap_analysis_compute  # noqa: E402

LINES: list[str] = []


def out(line: str = "") -> None:
    print(line, flush=True)
    LINES.append(line)


def timed(fn, runs: int, warmup: int = 2) -> tuple[list[float], int]:
    for _ in range(warmup):
        fn()
    times = []
    with CaptureQueriesContext(connection) as queries:
        fn()
    count = len(queries)
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, count


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> None:
    cpu = next(
        (
            row.split(":", 1)[1].strip()
            for row in Path("/proc/cpuinfo").read_text().splitlines()
            if row.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        (
            int(row.split()[1]) // 1024 // 1024
            for row in Path("/proc/meminfo").read_text().splitlines()
            if row.startswith("MemTotal")
        ),
        0,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()"
        )
        db = cursor.fetchone()[0].split(" on ")[0]
    import weasyprint

    out(
        f"Machine: {cpu}, {os.cpu_count()} cores, {mem} GiB; Python {platform.python_version()}, Django {django.get_version()}, "
        f"WeasyPrint {weasyprint.__version__}; database {connection.vendor} {db}; {time.strftime('%Y-%m-%d %H:%M %Z')}"
    )


SKIP = (
    set(sys.argv[1].split(",")) if len(sys.argv) > 1 else set()
)  # e.g. "render,throughput" while iterating
# "./bench/run autosave" seeds and runs only the autosave part (in process and under load).
ONLY_AUTOSAVE = SKIP == {"autosave"}
if ONLY_AUTOSAVE:
    SKIP = {"page", "analysis", "bulk", "api", "render", "throughput"}


def main() -> None:
    out("# Tekigo benchmark run")
    out()
    call_command("migrate", verbosity=0)
    machine()
    out()
    out("| # | benchmark | figure | target |")
    out("|---|---|---|---|")

    # 7. Catalog load
    started = time.perf_counter()
    call_command("load_frameworks", verbosity=0)
    out(
        f"| 7 | catalog load, all four frameworks (5 versions) | {time.perf_counter() - started:.2f} s | — |"
    )

    # 1. Seed
    stats = seed(
        organisations=int(os.environ.get("BENCH_ORGANISATIONS", 200)),
        per_organisation=int(os.environ.get("BENCH_PER_ORGANISATION", 10)),
        log=lambda line: print(line, file=sys.stderr),
    )
    largest = Assessment.objects.get(pk=stats["largest_assessment"])
    out(
        f"| 1 | seed | {stats['organisations']} organisations, {stats['assessments']} assessments, {stats['answers']:,} answers, "
        f"{stats['evidence']:,} evidence rows, {stats['history']:,} history rows in {stats['seconds']:.0f} s | — |"
    )

    officer = User.objects.get(username="loadtest")
    questionnaire = questionnaire_build(assessment=largest)
    out(
        f"| | largest assessment | #{largest.pk}: {questionnaire.progress.applicable} applicable questions, all answered | — |"
    )
    top = max(
        (s for f in questionnaire.frameworks for s in f.sections),
        key=lambda s: s.progress.applicable,
    )

    # 2. Questionnaire page
    if "page" in SKIP:
        return _autosave_part()
    client = Client()
    client.force_login(officer)
    url = f"/assessments/{largest.pk}/sections/{top.section.pk}/"
    times, queries = timed(lambda: client.get(url), runs=40)
    out(
        f"| 2 | questionnaire page ({top.progress.applicable} questions on the page) | median {statistics.median(times):.0f} ms, p95 {pct(times, 95):.0f} ms, {queries} queries | p95 < 150 ms, ≤ 15 queries |"
    )

    # 4. Gap analysis
    times, queries = timed(lambda: gap_analysis_compute(assessment=largest), runs=20)
    out(
        f"| 4 | gap analysis of the largest assessment | median {statistics.median(times):.0f} ms, p95 {pct(times, 95):.0f} ms, {queries} queries | < 100 ms, constant queries |"
    )

    # 8. Bulk save through the API
    api = APIClient()
    api.force_authenticate(officer)
    blocks = [
        b
        for b in questionnaire.questions.values()
        if b.counts and b.question.choices and b.question.type != "multiple_choice"
    ][:350]

    def other(block):  # a different valid answer, so that every item is a real change
        keys = [c["key"] for c in block.question.choices]
        return next(k for k in keys if not block.answer or k != block.answer.value)

    items = [{"question": b.question.pk, "value": other(b), "comment": "bulk"} for b in blocks]
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = api.post(
            f"/api/v1/assessments/{largest.pk}/answers/", {"items": items}, format="json"
        )
        seconds = time.perf_counter() - started
    assert response.status_code == 200, response.content[:500]
    out(
        f"| 8 | bulk save through the API, {len(items)} answers in one request | {seconds:.2f} s, {len(captured)} queries | < 1 s |"
    )

    # 9. Reading a whole assessment through the API
    times, queries = timed(
        lambda: api.get(f"/api/v1/assessments/{largest.pk}/questionnaire/"), runs=20
    )
    out(
        f"| 9 | read the whole assessment through the API (every answer with question and provision) | median {statistics.median(times):.0f} ms, p95 {pct(times, 95):.0f} ms, {queries} queries | < 200 ms, constant queries |"
    )

    # 5. Report rendering
    for language in ("ja", "en") if "render" not in SKIP else ():
        result = json.loads(
            subprocess.run(
                [sys.executable, str(ROOT / "bench" / "render_one.py"), str(largest.pk), language],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            ).stdout
        )
        ratio = result["pipeline_s"] / result["weasyprint_s"]
        out(
            f"| 5 | report of the largest assessment, {language} | {result['pages']} pages, {result['pipeline_s']:.2f} s, peak {result['peak_mb']:.0f} MB; "
            f"WeasyPrint alone {result['weasyprint_s']:.2f} s (pipeline/alone {ratio:.2f}) | < 2 s, ≤ 1.10 |"
        )

    # 3. Autosave under load
    _autosave_part(finish=False)

    # 6. Throughput
    if "throughput" not in SKIP:
        throughput(assessment=largest, officer=officer)
    _finish()


def _autosave_part(finish: bool = True) -> None:
    officer = User.objects.get(username="loadtest")
    ordinary = Assessment.objects.exclude(
        pins__framework__urn="urn:tekigo:fw:bench-extra"
    ).order_by("pk")
    ids = list(ordinary.values_list("pk", flat=True)[:50])
    autosave_in_process(assessment=Assessment.objects.get(pk=ids[0]), officer=officer)
    autosave(assessment_ids=ids, officer=officer)
    if finish:
        _finish()


def _finish() -> None:
    out()
    Path(ROOT / "var" / "bench" / "last-run.md").write_text("\n".join(LINES) + "\n")


def load() -> str:
    """The load average when a figure is taken: the machine is shared (bench/README.md)."""
    return "load %.1f" % os.getloadavg()[0]


def autosave_in_process(*, assessment, officer, runs: int = 200) -> None:
    """One officer saving one answer again and again through the Django test client, as htmx
    sends it (``HX-Request``): the time per save without HTTP, gunicorn or wrk."""
    client = Client()
    client.force_login(officer)
    every = questionnaire_build(assessment=assessment).questions.values()
    blocks = [b for b in every if b.counts and b.question.type == "yes_no_partial"]
    # The question with the most follow-ups, so that the response carries some.
    urns = [b.question.depends_on_urn for b in every]
    block = max(blocks, key=lambda b: urns.count(b.question.urn))
    url = f"/assessments/{assessment.pk}/questions/{block.question.pk}/answer/"
    counter = iter(range(10**9))
    cpu: list[float] = []

    def save():
        n = next(counter)
        started = time.process_time()
        response = client.post(
            url,
            {"type": "yes_no_partial", "value": ("yes", "no")[n % 2], "comment": f"in-process {n}"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200, response.content[:300]
        cpu.append((time.process_time() - started) * 1000)

    load_before = load()
    times, queries = timed(save, runs=runs, warmup=5)
    # CPU of this process only (not PostgreSQL's), over the timed saves: the figure least moved
    # by other jobs.
    cpu_median = statistics.median(cpu[-runs:])
    out(
        f"| 3 | autosave in process (test client, {runs} saves of a question with "
        f"{urns.count(block.question.urn)} follow-up(s), {len(blocks)} questions) | median {statistics.median(times):.1f} ms, "
        f"p95 {pct(times, 95):.1f} ms, {cpu_median:.1f} ms CPU, {queries} queries; {load_before} before the run |"
    )


# --- 3. Autosave under load ------------------------------------------------------------------

LUA = r"""
local assessments = {%(assessments)s}
local questions = {%(questions)s}
local counter = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "%(cookie)s"
wrk.headers["X-CSRFToken"] = "%(csrf)s"
wrk.headers["Referer"] = "%(base)s/"
wrk.headers["HX-Request"] = "true"  -- as htmx sends every autosave
local threads = {}
function setup(thread) thread:set("tid", tostring(math.random(1, 1000000))) table.insert(threads, thread) end
ok, redirected, refused = 0, 0, 0
response = function(status, headers, body)
  if status < 300 then ok = ok + 1 elseif status < 400 then redirected = redirected + 1 else refused = refused + 1 end
end
request = function()
  counter = counter + 1
  local a = assessments[math.random(#assessments)]
  local q = questions[math.random(#questions)]
  local path = "/assessments/" .. a .. "/questions/" .. q .. "/answer/"
  -- Every comment is new (run, thread, counter), so that every request is a real change to store.
  local body = "type=yes_no_partial&value=" .. (counter %% 2 == 0 and "yes" or "partial") .. "&comment=load-%(run)s-" .. tid .. "-" .. counter
  return wrk.format(nil, path, nil, body)
end
done = function(summary, latency, requests)
  local o, r, x = 0, 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); r = r + t:get("redirected"); x = x + t:get("refused") end
  io.write(string.format("STATUS %%d %%d %%d\n", o, r, x))
  io.write(string.format("RESULT %%d %%d %%d %%.1f %%.1f %%.1f %%.1f\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6)))
end
"""


def login(base: str) -> tuple[str, str]:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/accounts/login/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": "loadtest", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    opener.open(
        urllib.request.Request(
            f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
        )
    ).read()
    cookies = {c.name: c.value for c in jar}
    return f"sessionid={cookies['sessionid']}; csrftoken={cookies['csrftoken']}", cookies[
        "csrftoken"
    ]


def autosave(*, assessment_ids: list[int], officer) -> None:
    if not shutil.which("wrk"):
        out("| 3 | autosave under load | not run: wrk is not installed | — |")
        return
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.bench"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "error",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        cookie, csrf = login(base)
        assessment = Assessment.objects.get(pk=assessment_ids[0])
        questions = [
            b.question.pk
            for b in questionnaire_build(assessment=assessment).questions.values()
            if b.counts and b.question.type == "yes_no_partial"
        ]
        script = Path(tempfile.mkdtemp()) / "autosave.lua"
        for connections in (1, 10, 50):
            script.write_text(
                LUA
                % {
                    "assessments": ",".join(map(str, assessment_ids)),
                    "questions": ",".join(map(str, questions)),
                    "cookie": cookie,
                    "csrf": csrf,
                    "base": base,
                    "run": connections,
                }
            )
            before = AuditEvent.objects.filter(event_type="answer.saved").count()
            load_before = load()  # taken before the run: what the other jobs on the machine add
            result = subprocess.run(
                [
                    "wrk",
                    "-t",
                    str(min(connections, 2)),
                    "-c",
                    str(connections),
                    "-d",
                    "10s",
                    "--timeout",
                    "10s",
                    "-s",
                    str(script),
                    base,
                ],
                capture_output=True,
                text=True,
            )
            line = next(row for row in result.stdout.splitlines() if row.startswith("RESULT"))
            ok, redirected, refused = next(
                row for row in result.stdout.splitlines() if row.startswith("STATUS")
            ).split()[1:]
            requests, errors, _duration, p50, p95, p99, rps = line.split()[1:]
            stored = AuditEvent.objects.filter(event_type="answer.saved").count() - before
            out(
                f"| 3 | autosave, {connections} concurrent officer{'s' if connections > 1 else ''} (gunicorn, 2 workers) | {float(rps):.0f} req/s; "
                f"p50 {p50} ms, p95 {p95} ms, p99 {p99} ms; {errors} errors (2xx {ok}, 3xx {redirected}, 4xx/5xx {refused}); {stored}/{requests} answers stored; {load_before} before the run | p95 < 50 ms at 10, no errors at 50 |"
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)


# --- 6. Throughput ---------------------------------------------------------------------------


def throughput(*, assessment, officer) -> None:
    if not shutil.which("redis-server"):
        out("| 6 | report throughput | not run: redis-server is not installed | — |")
        return
    from portal.celery import app
    from reports.models import Report
    from reports.services import report_request

    port = free_port()
    folder = tempfile.mkdtemp()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    time.sleep(0.5)
    app.conf.broker_url = url
    app.conf.broker_transport_options = {"visibility_timeout": 600}
    app._pool = None
    app.amqp._producer_pool = None
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.bench",
        "CELERY_BROKER_URL": url,
    }
    smaller = (
        Assessment.objects.exclude(pk=assessment.pk)
        .exclude(pins__framework__urn="urn:tekigo:fw:bench-extra")
        .first()
    )
    rates = {}
    try:
        for workers in (1, 2):
            ids = [
                report_request(
                    actor=officer, assessment=smaller, language="ja" if n % 2 else "en"
                ).pk
                for n in range(50)
            ]
            started = time.perf_counter()
            processes = [
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        "portal",
                        "worker",
                        "-Q",
                        "reports",
                        "-c",
                        "1",
                        "-n",
                        f"bench{n}@127.0.0.1",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "--loglevel=ERROR",
                    ],
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for n in range(workers)
            ]
            while Report.objects.filter(pk__in=ids, status="ready").count() < len(ids):
                if Report.objects.filter(pk__in=ids, status="failed").exists():
                    raise RuntimeError("a report failed")
                time.sleep(0.5)
            seconds = time.perf_counter() - started
            rates[workers] = len(ids) / seconds * 60
            for process in processes:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
            out(
                f"| 6 | 50 reports drained by {workers} worker{'s' if workers > 1 else ''} (incl. worker start) | {seconds:.0f} s, {rates[workers]:.1f} reports/min | — |"
            )
        out(f"| 6 | speed-up of 2 workers over 1 | {rates[2] / rates[1]:.2f}× | ≥ 1.7× |")
    finally:
        redis.terminate()
        redis.wait(10)


if __name__ == "__main__":
    main()
