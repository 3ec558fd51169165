"""The benchmark data set's history rows are chained like the services' own: a seeded database
passes ``manage.py audit_verify``."""

import pytest
from django.core.management import call_command

from bench.seed import seed
from portal.models import AuditEvent
from portal.selectors import audit_chain_verify

pytestmark = pytest.mark.django_db


def test_the_bench_seed_writes_a_valid_audit_hash_chain(capsys):
    call_command("load_frameworks", verbosity=0)
    stats = seed(organisations=1, per_organisation=2, largest=1, log=lambda line: None)
    answers = AuditEvent.objects.filter(event_type="answer.saved")
    assert stats["history"] == answers.count() == stats["answers"] > 0
    assert not answers.filter(row_hash="").exists()
    checked, broken = audit_chain_verify()
    assert broken is None and checked == AuditEvent.objects.count()
    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
