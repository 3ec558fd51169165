import json

import pytest
from django.core.management import CommandError, call_command

from frameworks.management.commands import framework_schema


def test_committed_json_schema_is_current():
    call_command("framework_schema", "--check")


def test_schema_check_fails_when_the_committed_copy_differs(tmp_path, monkeypatch):
    stale = tmp_path / "framework.schema.json"
    stale.write_text("{}")
    monkeypatch.setattr(framework_schema, "SCHEMA_PATH", stale)
    with pytest.raises(CommandError, match="out of date"):
        call_command("framework_schema", "--check")


def test_schema_describes_the_strength_enum():
    schema = json.loads(framework_schema.SCHEMA_PATH.read_text())
    strengths = schema["$defs"]["Strength"]["enum"]
    assert strengths == [
        "binding",
        "binding_no_sanction",
        "effort_duty",
        "government_duty",
        "voluntary",
        "reported",
    ]
