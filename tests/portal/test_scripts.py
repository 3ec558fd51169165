"""scripts/run: Ctrl-C stops the report worker with everything it started, and a warm restart
skips the steps whose inputs did not change. Run against a copy of scripts/ with a stand-in
``uv`` on PATH, so no real server starts."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.db_independent

ROOT = Path(__file__).resolve().parents[2]

FAKE_UV = """#!/bin/sh
echo "$*" >> "$UV_LOG"
case "$*" in
  *"celery -A portal worker"*) sleep 300 & echo $! > "$POOL_PID"; wait ;;
  *runserver*) echo serving; sleep 300 ;;
esac
exit 0
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ")[1][0] != "Z"


def wait_until(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "tekigo"
    shutil.copytree(ROOT / "scripts", root / "scripts")
    (root / "uv.lock").write_text("lock v1")
    (root / "var").mkdir()
    (root / ".venv").mkdir()
    (root / "var" / "db.sqlite3").write_text("")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "uv").write_text(FAKE_UV)
    (bin_dir / "uv").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "UV_LOG": str(tmp_path / "uv.log"),
        "POOL_PID": str(tmp_path / "pool.pid"),
        "PORT": "8999",
    }
    return root, env, tmp_path


def run_until_ctrl_c(root, env, tmp_path) -> str:
    (tmp_path / "uv.log").write_text("")
    (tmp_path / "pool.pid").unlink(missing_ok=True)
    process = subprocess.Popen(
        ["bash", str(root / "scripts" / "run")],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a process group of its own, like a terminal's foreground job
    )
    assert wait_until(lambda: "runserver" in (tmp_path / "uv.log").read_text())
    assert wait_until(lambda: (tmp_path / "pool.pid").exists())
    pool = int((tmp_path / "pool.pid").read_text())
    assert alive(pool)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C does
    output, _ = process.communicate(timeout=30)
    assert wait_until(lambda: not alive(pool), 15), "the worker's pool outlived Ctrl-C"
    assert not (root / "var" / "worker.pid").exists()
    return (tmp_path / "uv.log").read_text()


def test_ctrl_c_stops_the_worker_and_a_warm_restart_skips_unchanged_steps(project):
    root, env, tmp_path = project
    first = run_until_ctrl_c(root, env, tmp_path)
    assert "sync --frozen" in first and "migrate" in first and "seed_demo" in first
    second = run_until_ctrl_c(root, env, tmp_path)
    assert "sync --frozen" not in second and "compilemessages" not in second
    assert "migrate" not in second and "load_frameworks" not in second
    assert "seed_demo" not in second and "celery -A portal worker" in second
    # A changed input re-runs its step.
    (root / "uv.lock").write_text("lock v2")
    assert "sync --frozen" in run_until_ctrl_c(root, env, tmp_path)
