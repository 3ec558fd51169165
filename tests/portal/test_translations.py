"""Everything a user reads exists in Japanese: makemessages finds no message without a translation.

makemessages rewrites the catalogue it updates, so it runs on a copy of the project in a temporary
folder; gettext's msgattrib then lists what it left untranslated or fuzzy (a fuzzy entry is a guess
from a similar message, which Django does not use).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

PO = Path("locale") / "ja" / "LC_MESSAGES" / "django.po"
SKIPPED = {".venv", ".git", "tests", "bench", "static", "var", "media", "node_modules"}


def _messages(po_text: str) -> list[str]:
    """The msgids of a .po text, without the header entry."""
    ids = []
    for block in po_text.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        text, in_id = [], False
        for line in lines:
            if line.startswith("msgid "):
                in_id = True
                line = line[len("msgid ") :]
            elif not line.startswith('"'):
                in_id = False
            if in_id:
                text.append(re.sub(r'^"|"$', "", line))
        msgid = "".join(text)
        if msgid:
            ids.append(msgid)
    return ids


def _attrib(po: Path, *flags: str) -> list[str]:
    out = subprocess.run(
        ["msgattrib", *flags, "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return _messages(out)


def test_every_message_of_the_code_has_a_japanese_translation(tmp_path):
    if shutil.which("msgattrib") is None:
        pytest.fail("gettext (msgattrib) is needed: apt-get install gettext")
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=lambda directory, names: [
            n
            for n in names
            if (Path(directory) == Path(settings.BASE_DIR) and n in SKIPPED)
            or n in {"__pycache__", ".ruff_cache", ".hypothesis"}
        ],
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "-v", "0"],
        cwd=project,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    po = project / PO
    untranslated = _attrib(po, "--untranslated")
    fuzzy = _attrib(po, "--only-fuzzy")
    assert untranslated == [] and fuzzy == [], (
        "Add these to the END of locale/ja/LC_MESSAGES/django.po by hand "
        f"(untranslated: {untranslated}; fuzzy guesses: {fuzzy})"
    )


def test_the_message_parser_reads_single_and_continued_ids():
    text = 'msgid ""\nmsgstr "Header"\n\n#: a.py:1\nmsgid "One"\nmsgstr ""\n\nmsgid ""\n"Two "\n"parts"\nmsgstr ""\n'
    assert _messages(text) == ["One", "Two parts"]
