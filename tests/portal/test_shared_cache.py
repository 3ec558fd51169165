"""Production keeps its rate-limit counters in Redis, shared by every web node; development and
tests keep Django's process-local cache."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.support import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parents[2]


def django_process(code: str, **env) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, **env},
        timeout=60,
    )


CACHE_SETTINGS = (
    "from django.conf import settings; import json; print(json.dumps(settings.CACHES['default']))"
)


def test_production_caches_in_the_redis_of_redis_url():
    result = django_process(CACHE_SETTINGS, **PRODUCTION_ENV, REDIS_URL="redis://:pw@redis:6379/0")
    assert result.returncode == 0, result.stderr
    cache = json.loads(result.stdout)
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://:pw@redis:6379/0"
    assert cache["OPTIONS"]["socket_timeout"] <= 1


def test_production_without_redis_keeps_the_process_local_cache():
    result = django_process(CACHE_SETTINGS, **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["BACKEND"].endswith("LocMemCache")


def test_development_and_tests_keep_the_process_local_cache():
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    result = django_process(
        CACHE_SETTINGS,
        DJANGO_SETTINGS_MODULE="portal.settings.development",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["BACKEND"].endswith("LocMemCache")


# Counts ``checks`` public verification checks from one client address and prints the answers.
VERIFY_CHECKS = """
import sys
from django.test import RequestFactory
from reports.public_views import public_verify_allowed
request = RequestFactory().get("/verify/", REMOTE_ADDR="203.0.113.7")
print(",".join(str(public_verify_allowed(request)) for _ in range(int(sys.argv[1]))))
"""


@pytest.mark.integration
@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_two_processes_share_the_public_verification_counter(redis_server):
    """Two processes stand for two web nodes: the allowance used up on one is used up on both."""
    limit = settings.PUBLIC_VERIFY_LIMIT

    def checks(count: int) -> list[str]:
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + VERIFY_CHECKS, str(count)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, **PRODUCTION_ENV, "REDIS_URL": redis_server.url},
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().split(",")

    assert checks(limit - 1) == ["True"] * (limit - 1)
    # The second node sees the first node's count: one check left, then refused.
    assert checks(2) == ["True", "False"]
