"""Production topology: the compose file is valid and matches the settings; production refuses
to start without its secrets; /healthz reports each dependency."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

pytestmark = pytest.mark.db_independent

ROOT = Path(__file__).resolve().parents[2]
ENV_READER = (ROOT / "portal" / "env.py").read_text()


def compose_config(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **env},
        timeout=60,
    )


needs_compose = pytest.mark.skipif(
    not shutil.which("docker-compose"), reason="docker-compose is not installed"
)


#: The storage secrets compose requires besides the Django ones (from the environment or .env).
STORAGE_SECRETS = {
    "MINIO_ROOT_USER": "minio-admin",
    "MINIO_ROOT_PASSWORD": "minio-admin-password",
    "AWS_ACCESS_KEY_ID": "tekigo-app",
    "AWS_SECRET_ACCESS_KEY": "tekigo-app-password",
}


@needs_compose
def test_compose_file_is_valid_with_a_one_shot_migrate_and_exactly_one_beat():
    result = compose_config(
        SECRET_KEY="s3cret",
        ALLOWED_HOSTS="tekigo.example.com",
        REPORT_SIGNING_KEY="/k.pem",
        REPORT_SIGNING_CERT="/c.pem",
        **STORAGE_SECRETS,
    )
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert set(services) == {
        "migrate",
        "web",
        "worker",
        "beat",
        "redis",
        "postgres",
        "minio",
        "buckets",
    }
    assert set(config["volumes"]) == {"minio", "redis", "postgres"}
    migrate, web, worker, beat = (services[n] for n in ("migrate", "web", "worker", "beat"))
    # Migrations and the catalog run once, in their own service, never in the web command.
    assert "migrate --no-input" in migrate["command"] and "load_frameworks" in migrate["command"]
    assert migrate["restart"] == "no"
    assert "migrate" not in web["command"] and "gunicorn portal.wsgi:application" in web["command"]
    assert f"-Q {settings.REPORTS_QUEUE}" in worker["command"]
    # One beat service, and no worker runs its own scheduler.
    assert "celery -A portal beat" in beat["command"] and beat["deploy"]["replicas"] == 1
    assert all(" -B" not in s.get("command", "") for s in services.values())
    for name, service in services.items():
        if name not in ("migrate", "buckets"):
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    for service in (web, worker, beat):
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
            "buckets": {"condition": "service_completed_successfully"},
            "migrate": {"condition": "service_completed_successfully"},
        }
    assert migrate["depends_on"]["buckets"] == {"condition": "service_completed_successfully"}
    for service in (migrate, web, worker, beat):
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
        assert env["SECRET_KEY"] == "s3cret" and env["ALLOWED_HOSTS"] == "tekigo.example.com"
        assert env["DATABASE_URL"].startswith("postgres://tekigo:") and env[
            "DATABASE_URL"
        ].endswith("@postgres:5432/tekigo")
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        # Stored files go to the bucket on MinIO, with Tekigo's own keys (not MinIO's admin's).
        assert env["AWS_STORAGE_BUCKET_NAME"] == "tekigo"
        assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"
        assert env["AWS_ACCESS_KEY_ID"] == "tekigo-app"
        assert env["AWS_SECRET_ACCESS_KEY"] == "tekigo-app-password"
        assert not any(name.startswith("MINIO_") for name in env)
        assert "volumes" not in service  # no file on a container's own disk
        # Every variable the compose file sets is one that portal/env.py actually reads.
        for name in env:
            assert name == "DJANGO_SETTINGS_MODULE" or re.search(
                rf'env_\w+\("{name}"', ENV_READER
            ), name


@needs_compose
def test_compose_object_storage_is_minio_with_a_one_shot_bucket_service():
    config = yaml.safe_load(
        compose_config(
            SECRET_KEY="s",
            REPORT_SIGNING_KEY="/k.pem",
            REPORT_SIGNING_CERT="/c.pem",
            AWS_STORAGE_BUCKET_NAME="evidence-bucket",
            **STORAGE_SECRETS,
        ).stdout
    )
    minio, buckets = config["services"]["minio"], config["services"]["buckets"]
    (volume,) = minio["volumes"]  # "minio:/data:rw" (compose v1) or the long form (v2)
    assert (
        volume.startswith("minio:/data")
        if isinstance(volume, str)
        else (volume["source"], volume["target"]) == ("minio", "/data")
    )
    assert minio["healthcheck"]["test"] == ["CMD", "mc", "ready", "local"]
    assert minio["environment"] == {
        "MINIO_ROOT_USER": "minio-admin",
        "MINIO_ROOT_PASSWORD": "minio-admin-password",
    }
    assert "ports" not in minio  # reached on the compose network only
    assert buckets["restart"] == "no"
    assert buckets["depends_on"] == {"minio": {"condition": "service_healthy"}}
    assert buckets["environment"]["AWS_STORAGE_BUCKET_NAME"] == "evidence-bucket"
    assert buckets["environment"]["AWS_ACCESS_KEY_ID"] == "tekigo-app"
    assert all(
        s["environment"]["AWS_STORAGE_BUCKET_NAME"] == "evidence-bucket"
        for n, s in config["services"].items()
        if n in ("migrate", "web", "worker", "beat")
    )
    # The container's shell reads the secrets from its environment: none is written into the
    # command, and the script stops at the first failing step (set -e).
    script = buckets["command"][0]
    assert buckets["entrypoint"] == ["/bin/sh", "-c"] and script.startswith("set -e;")
    assert "minio-admin-password" not in script and "tekigo-app-password" not in script
    assert 'mc mb --ignore-existing "local/$$AWS_STORAGE_BUCKET_NAME"' in script
    assert 'mc admin user add local "$$AWS_ACCESS_KEY_ID" "$$AWS_SECRET_ACCESS_KEY"' in script


@needs_compose
@pytest.mark.parametrize("secret", sorted(STORAGE_SECRETS))
def test_compose_refuses_to_run_without_a_storage_secret(secret):
    env = {k: v for k, v in STORAGE_SECRETS.items() if k != secret}
    result = compose_config(
        SECRET_KEY="s", REPORT_SIGNING_KEY="/k", REPORT_SIGNING_CERT="/c", **env
    )
    assert result.returncode != 0 and secret in result.stderr


@needs_compose
def test_compose_health_checks_work_with_a_real_host_name(tmp_path):
    """The checks run in a shell, so ALLOWED_HOSTS and HOSTNAME are expanded in the container;
    run here with the same shell, they name the real host and the worker's own node."""
    config = yaml.safe_load(
        compose_config(
            SECRET_KEY="s",
            ALLOWED_HOSTS="tekigo.example.com,www.example.com",
            REPORT_SIGNING_KEY="/k.pem",
            REPORT_SIGNING_CERT="/c.pem",
            **STORAGE_SECRETS,
        ).stdout
    )
    web_check = config["services"]["web"]["healthcheck"]["test"]
    worker_check = config["services"]["worker"]["healthcheck"]["test"]
    assert web_check[0] == worker_check[0] == "CMD-SHELL"
    # Compose turns $$ into $ when it runs the check; the container's shell expands the rest.
    expand = lambda command, **env: subprocess.run(  # noqa: E731
        ["sh", "-c", "echo " + command.replace("$$", "$").replace('"', '\\"')],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], **env},
    ).stdout.strip()
    web = expand(web_check[1], ALLOWED_HOSTS="tekigo.example.com,www.example.com")
    assert 'Host: tekigo.example.com"' in web and "/readyz" in web
    worker = expand(worker_check[1], HOSTNAME="c0ffee")
    assert worker.endswith("-d tekigo-worker@c0ffee")


@needs_compose
def test_compose_refuses_to_run_without_a_secret_key():
    result = compose_config()
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_dockerfile_installs_the_cjk_fonts_and_the_subsetter():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "fonts-noto-cjk" in dockerfile and "libharfbuzz-subset0" in dockerfile
    assert "uv sync --frozen" in dockerfile


def run_settings(module: str, **env) -> subprocess.CompletedProcess:
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    clean = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS", "DEBUG")
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": module, **env},
        timeout=60,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings("portal.settings.production", ALLOWED_HOSTS="example.com")
    assert result.returncode != 0 and "SECRET_KEY is required" in result.stderr


def test_production_is_secure_by_default():
    result = run_settings(
        "portal.settings.production",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="example.com",
        REPORT_SIGNING_KEY="/run/secrets/signing.pem",
        REPORT_SIGNING_CERT="/run/secrets/signing.pem",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client, settings, tmp_path):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "storage": "ok"}
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    settings.MEDIA_ROOT = str(blocked / "media")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error") and response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_reports_an_unreachable_broker(client):
    from portal.celery import app

    saved = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = saved
    assert response.status_code == 503 and response.json()["broker"].startswith("error")


# --- scripts/run-production-native (issue 14) ---------------------------------------------------

NATIVE = ROOT / "scripts" / "run-production-native"


def test_native_production_uses_passwords_and_listens_on_localhost_only(tmp_path):
    var = tmp_path / "production"
    run = lambda: subprocess.run(  # noqa: E731
        [str(NATIVE), "--config-only"],
        capture_output=True,
        text=True,
        env={**os.environ, "TEKIGO_NATIVE_VAR": str(var)},
        timeout=60,
    )
    result = run()
    assert result.returncode == 0, result.stderr
    secrets = dict(
        line.split("=", 1) for line in (var / "secrets.env").read_text().splitlines() if line
    )
    assert set(secrets) == {"SECRET_KEY", "PG_PASSWORD", "REDIS_PASSWORD"}
    assert all(len(value) >= 32 for value in secrets.values())
    for private in (var / "secrets.env", var / "redis.conf", var / "pgconf" / "pg_hba.conf"):
        assert private.stat().st_mode & 0o077 == 0, private  # only the service user reads it
    hba = [
        line.split()
        for line in (var / "pgconf" / "pg_hba.conf").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert hba == [["host", "all", "tekigo", "127.0.0.1/32", "scram-sha-256"]]
    pg = (var / "pgconf" / "postgresql.conf").read_text()
    assert "listen_addresses = '127.0.0.1'" in pg and "unix_socket_directories = ''" in pg
    redis = dict(
        line.split(" ", 1) for line in (var / "redis.conf").read_text().splitlines() if line
    )
    assert redis["bind"] == "127.0.0.1" and redis["protected-mode"] == "yes"
    assert redis["requirepass"] == secrets["REDIS_PASSWORD"]
    # Generated once: a second start keeps the same passwords.
    assert run().returncode == 0
    assert (var / "secrets.env").read_text().startswith(f"SECRET_KEY={secrets['SECRET_KEY']}")
    script = NATIVE.read_text()
    assert "--auth=trust" not in script and "--auth=scram-sha-256" in script
    assert "trap stop EXIT INT TERM" in script and 'wait "${STARTED[-1]}"' in script
    assert "exec " not in script  # the shell stays, so its trap stops what it started


# --- Object storage in compose (ops2) -------------------------------------------------------------


def test_the_compose_secrets_file_is_never_committed_nor_copied_into_the_image():
    ignored = lambda name: (ROOT / name).read_text().splitlines()  # noqa: E731
    assert "/.env" in ignored(".gitignore")
    assert ".env" in ignored(".dockerignore")
