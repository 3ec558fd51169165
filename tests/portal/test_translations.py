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


@pytest.fixture(scope="module")
def regenerated_po(tmp_path_factory) -> Path:
    """The catalogue as makemessages rewrites it from the code, in a copy of the project."""
    if shutil.which("msgattrib") is None:
        pytest.fail("gettext (msgattrib) is needed: apt-get install gettext")
    project = tmp_path_factory.mktemp("makemessages") / "project"
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
    return project / PO


def test_every_message_of_the_code_has_a_japanese_translation(regenerated_po):
    untranslated = _attrib(regenerated_po, "--untranslated")
    fuzzy = _attrib(regenerated_po, "--only-fuzzy")
    assert untranslated == [] and fuzzy == [], (
        "Add these to the END of locale/ja/LC_MESSAGES/django.po by hand "
        f"(untranslated: {untranslated}; fuzzy guesses: {fuzzy})"
    )


def test_makemessages_finds_every_message_of_the_jinja2_templates(regenerated_po):
    """makemessages reads a Jinja2 template as if it were a Django one: it finds ``_("…")`` but
    not Jinja2's ``{% trans %}`` or a call of ``ngettext``. Jinja2's own parser lists every
    message the templates ask for; each must be in the catalogue, or the report would print it
    in English whatever its language (see reports/jinja_environment.py)."""
    from jinja2 import Environment
    from jinja2.ext import extract_from_ast

    templates = sorted(Path(settings.BASE_DIR).glob("*/jinja2/**/*.html"))
    assert templates, "no Jinja2 template found"
    found = set(_attrib(regenerated_po))
    wanted = {}
    for template in templates:
        source = template.read_text(encoding="utf-8")
        for line, function, message in extract_from_ast(Environment().parse(source)):
            wanted[message] = f"{template.relative_to(settings.BASE_DIR)}:{line} {function}"
    assert len(wanted) > 100
    plurals = {m: where for m, where in wanted.items() if not isinstance(m, str)}
    assert plurals == {}, "use plural() of reports/jinja_environment.py, not ngettext"
    missing = {m: where for m, where in wanted.items() if m not in found}
    assert missing == {}


def test_the_message_parser_reads_single_and_continued_ids():
    text = 'msgid ""\nmsgstr "Header"\n\n#: a.py:1\nmsgid "One"\nmsgstr ""\n\nmsgid ""\n"Two "\n"parts"\nmsgstr ""\n'
    assert _messages(text) == ["One", "Two parts"]
