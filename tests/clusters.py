"""Real shared services for the multi-machine tests: a PostgreSQL cluster, an S3-compatible
server (moto's standalone server) and gunicorn web nodes, all on 127.0.0.1 (a pytest plugin).

Each is started by the test that needs it inside its own ``tmp_path`` and stopped afterwards, the
way ``tests/support.py`` starts redis-server.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import ROOT, free_port, wait_for


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server's bin folder (``/usr/lib/postgresql/15/bin``), if installed."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    return found[-1] if found and (found[-1] / "initdb").exists() else None


needs_postgres = pytest.mark.skipif(
    postgres_bin() is None, reason="PostgreSQL server binaries (initdb, pg_ctl) are not installed"
)
needs_moto = pytest.mark.skipif(
    shutil.which("moto_server", path=str(Path(sys.executable).parent)) is None,
    reason="moto_server (moto[server]) is not installed",
)


class PostgresCluster:
    """A throwaway cluster (initdb + pg_ctl) on 127.0.0.1, trust authentication, database tekigo."""

    def __init__(self, folder: Path):
        self.bin = postgres_bin()
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"

    @property
    def url(self) -> str:
        return f"postgres://tekigo@127.0.0.1:{self.port}/tekigo"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if os.getuid() == 0:  # initdb and postgres refuse to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if result.returncode:
            log = self.folder / "log"
            raise AssertionError(
                f"{args[0]} failed: {result.stderr}{result.stdout}"
                + (log.read_text()[-2000:] if log.exists() else "")
            )

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.getuid() == 0:
            shutil.chown(self.folder, "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "tekigo", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        self._ctl("start")
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "tekigo",
             "tekigo"],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-o", options,
            *extra, action,
        )  # fmt: skip

    def restart(self) -> None:
        """``pg_ctl restart -m fast``: every open connection is cut, as in a real restart."""
        self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        except AssertionError:
            pass  # already stopped


@pytest.fixture
def postgres():
    # Not under tmp_path: pytest keeps its folders private to root (0700, re-applied as it
    # goes), and the cluster runs as the postgres user when the tests run as root.
    folder = Path(tempfile.mkdtemp(prefix="tekigo-pg-"))
    cluster = PostgresCluster(folder)
    cluster.start()
    yield cluster
    cluster.stop()
    shutil.rmtree(folder, ignore_errors=True)


class MotoServer:
    """moto's standalone S3-compatible server on a free port of 127.0.0.1."""

    def __init__(self, log: Path):
        self.port, self.log, self.process = free_port(), log, None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=0.5):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p",
             str(self.port)],
            stdout=self.log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for(self._answers, 30, "moto_server", 0.1)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(10)


@pytest.fixture
def s3_server(tmp_path):
    server = MotoServer(tmp_path / "moto.log")
    server.start()
    yield server
    server.stop()


def s3_storage_settings(endpoint: str, bucket: str) -> dict:
    """``STORAGES["default"]`` for django-storages' S3 backend against ``endpoint``."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "access_key": "test",
            "secret_key": "test",
            "region_name": "us-east-1",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": False,
        },
    }


class WebNode:
    """``gunicorn portal.wsgi`` on a free port of 127.0.0.1 with the given environment."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 1):
        self.env, self.log, self.workers = env, log, workers
        self.port, self.process = free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "-b",
             f"127.0.0.1:{self.port}", "-w", str(self.workers), "--timeout", "60"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_for(self._answers, 60, f"gunicorn on {self.port}", 0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class CeleryNode:
    """A ``celery worker`` for the reports queue with its own node name and environment."""

    def __init__(self, env: dict[str, str], name: str, log: Path):
        self.env, self.name, self.log, self.process = env, name, log, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "reports", "-c", "1",
             "-n", self.name, "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO"],
            cwd=ROOT, env={**os.environ, **self.env}, stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self) -> None:
        wait_for(lambda: b"ready." in self.log.read_bytes(), 60, f"worker {self.name}", 0.2)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
