"""Autosave before and after a change, on one seeded database, the two checkouts alternated:
separate runs of ``./bench/run autosave`` on a shared machine differ more by the load of the
moment than by the change (bench/README.md, "Autosave: only what changed").

    mkdir /tmp/before && git archive eb4d6e2 | tar -x -C /tmp/before
    BENCH_ORGANISATIONS=10 BENCH_PER_ORGANISATION=5 \\
        scripts/with-postgres uv run --frozen python bench/autosave_ab.py /tmp/before 2

Each round runs, for each checkout, the in-process saves (test client, ``--in-process``) and then
gunicorn with 2 workers under wrk at 1 and 10 connections; every line is JSON with the load
average taken just before. ``NO_WRK=1`` skips wrk.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def in_process(runs: int) -> None:
    """Time saves through the test client in the checkout of the current directory."""
    sys.path.insert(0, os.getcwd())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.bench")
    import django

    django.setup()
    from django.test import Client

    from assessments.models import Assessment
    from assessments.selectors import questionnaire_build
    from portal.models import User

    officer = User.objects.get(username="loadtest")
    assessment = (
        Assessment.objects.exclude(pins__framework__urn="urn:tekigo:fw:bench-extra")
        .order_by("pk")
        .first()
    )
    every = list(questionnaire_build(assessment=assessment).questions.values())
    blocks = [b for b in every if b.counts and b.question.type == "yes_no_partial"]
    urns = [b.question.depends_on_urn for b in every]
    with_followup = max(blocks, key=lambda b: urns.count(b.question.urn))
    plain = next(b for b in blocks if urns.count(b.question.urn) == 0)
    client = Client()
    client.force_login(officer)
    result = {}
    for name, block in (("with follow-up", with_followup), ("no follow-up", plain)):
        url = f"/assessments/{assessment.pk}/questions/{block.question.pk}/answer/"
        sizes: list[int] = []
        counter = iter(range(10**9))

        def save(url=url, sizes=sizes, counter=counter):
            n = next(counter)
            response = client.post(
                url,
                {"type": "yes_no_partial", "value": ("yes", "no")[n % 2], "comment": f"ab {n}"},
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200, response.content[:200]
            sizes.append(len(response.content))

        for _ in range(5):
            save()
        times, cpu = [], []
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            save()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        times.sort()
        result[name] = {
            "median": round(statistics.median(times), 1),
            "p95": round(times[round(0.95 * (len(times) - 1))], 1),
            "cpu_median": round(statistics.median(cpu), 1),
            "bytes": round(statistics.mean(sizes)),
        }
    print(json.dumps(result))


def main(before: Path, rounds: int) -> None:
    sys.path.insert(0, str(HERE))
    os.chdir(HERE)
    from django.core.management import call_command

    import bench.bench as b  # sets Django up with this checkout
    from assessments.models import Assessment
    from assessments.selectors import questionnaire_build
    from portal.models import AuditEvent

    call_command("migrate", verbosity=0)
    call_command("load_frameworks", verbosity=0)
    b.seed(
        organisations=int(os.environ.get("BENCH_ORGANISATIONS", 10)),
        per_organisation=int(os.environ.get("BENCH_PER_ORGANISATION", 5)),
        log=lambda line: None,
    )
    ordinary = Assessment.objects.exclude(
        pins__framework__urn="urn:tekigo:fw:bench-extra"
    ).order_by("pk")
    ids = list(ordinary.values_list("pk", flat=True)[:50])
    questions = [
        x.question.pk
        for x in questionnaire_build(
            assessment=Assessment.objects.get(pk=ids[0])
        ).questions.values()
        if x.counts and x.question.type == "yes_no_partial"
    ]

    def under_load(tree: Path, label: str) -> None:
        port = b.free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind",
             f"127.0.0.1:{port}", "--workers", "2", "--log-level", "error"],
            cwd=tree,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.bench"},
            start_new_session=True,
        )  # fmt: skip
        try:
            b._wait(lambda: b._answers(f"{base}/healthz"), 30, f"gunicorn at {base}")
            cookie, csrf = b.login(base)
            script = Path(tempfile.mkdtemp()) / "autosave.lua"
            for connections in (1, 10):
                script.write_text(
                    b.LUA
                    % {
                        "assessments": ",".join(map(str, ids)),
                        "questions": ",".join(map(str, questions)),
                        "cookie": cookie,
                        "csrf": csrf,
                        "base": base,
                        "run": f"{label}-{connections}-{time.time_ns()}",
                    }
                )
                stored_before = AuditEvent.objects.filter(event_type="answer.saved").count()
                load = os.getloadavg()[0]
                result = b._wrk_result(b._wrk(base=base, connections=connections, script=script))
                stored = AuditEvent.objects.filter(event_type="answer.saved").count()
                print(
                    json.dumps(
                        {
                            "tree": label,
                            "connections": connections,
                            "load": round(load, 1),
                            **{k: result[k] for k in ("rps", "p50", "p95", "p99", "errors")},
                            "requests": int(result["requests"]),
                            "2xx/3xx/4xx+": [result["ok"], result["redirected"], result["refused"]],
                            "stored": stored - stored_before,
                        }
                    ),
                    flush=True,
                )
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(20)

    for _ in range(rounds):
        for tree, label in ((before, "before"), (HERE, "after")):
            load = os.getloadavg()[0]
            run = subprocess.run(
                [sys.executable, str(HERE / "bench" / "autosave_ab.py"), "--in-process",
                 os.environ.get("INPROC_RUNS", "150")],
                cwd=tree,
                capture_output=True,
                text=True,
            )  # fmt: skip
            measured = (
                json.loads(run.stdout.strip().splitlines()[-1])
                if run.returncode == 0
                else run.stderr[-500:]
            )
            print(json.dumps({"tree": label, "in_process": measured, "load": round(load, 1)}))
            if not os.environ.get("NO_WRK"):
                under_load(tree, label)


if __name__ == "__main__":
    if sys.argv[1] == "--in-process":
        in_process(int(sys.argv[2]))
    else:
        main(Path(sys.argv[1]).resolve(), int(sys.argv[2]) if len(sys.argv) > 2 else 2)
