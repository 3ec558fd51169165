"""An officer exports the questionnaire, fills it offline, and imports it (real browser)."""

from __future__ import annotations

import shutil

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from assessments.management.commands.seed_demo import DEMO_ASSESSMENT
from assessments.models import Answer, Assessment
from assessments.workbooks import COLUMN_INDEX
from tests.e2e.conftest import sign_in

pytestmark = [
    pytest.mark.slow,
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed"),
]
PASSWORD = "tekigo-demo"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # seed_demo runs only in development
    call_command("load_frameworks", verbosity=0)
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    return Assessment.objects.get(name=DEMO_ASSESSMENT)


def test_officer_exports_edits_offline_and_imports_a_workbook(
    live_server, demo, new_page, tmp_path
):
    page = new_page()
    sign_in(page, live_server.url, "officer", PASSWORD)
    page.goto(f"{live_server.url}/assessments/{demo.pk}/import/")
    with page.expect_download() as download_info:
        page.click("text=Export the questionnaire (.xlsx)")
    path = tmp_path / "questionnaire.xlsx"
    download_info.value.save_as(path)

    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[COLUMN_INDEX["choices"]].value)
    urn = row[COLUMN_INDEX["urn"]].value
    row[COLUMN_INDEX["comment"]].value = "Updated offline by the legal team"
    workbook.save(path)

    page.set_input_files("#id_file", str(path))
    page.click("main button.primary")
    page.wait_for_url(f"{live_server.url}/assessments/{demo.pk}/")
    assert "Workbook imported" in page.content()
    answer = Answer.objects.get(assessment=demo, question__urn=urn)
    assert answer.comment == "Updated offline by the legal team"
