"""One public address: PUBLIC_BASE_URL is the host in e-mail links and in report verification
URLs; SITE_URL, its former name for e-mail links, is still read (deprecated) when it is unset."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from portal.services import notify
from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]


def public_base_url(**env) -> subprocess.CompletedProcess:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.PUBLIC_BASE_URL, hasattr(settings, 'SITE_URL'))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in ("PUBLIC_BASE_URL", "SITE_URL")}
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings.test", **env},
        timeout=60,
    )


def test_public_base_url_is_the_one_setting_and_loses_its_trailing_slash():
    result = public_base_url(PUBLIC_BASE_URL="https://tekigo.example.com/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://tekigo.example.com", "False"]
    assert "deprecated" not in result.stderr


def test_site_url_is_read_as_a_deprecated_alias_when_public_base_url_is_unset():
    result = public_base_url(SITE_URL="https://old.example.com")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://old.example.com", "False"]
    assert "SITE_URL is deprecated" in result.stderr


def test_public_base_url_wins_over_the_deprecated_alias():
    result = public_base_url(
        PUBLIC_BASE_URL="https://tekigo.example.com", SITE_URL="https://old.example.com"
    )
    assert result.stdout.split()[0] == "https://tekigo.example.com"
    assert "deprecated" not in result.stderr


@pytest.mark.django_db
def test_reminder_email_links_use_the_public_base_url(
    organisation, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://tekigo.example.com"
    recipient = MembershipFactory(
        user__email="legal@acme.example", organisation=organisation, role="contributor"
    ).user
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipient=recipient,
            kind="assignment",
            title="x",
            url="/assessments/7/",
            obj=organisation,
        )
    assert mail.outbox[0].body.endswith("https://tekigo.example.com/assessments/7/")
