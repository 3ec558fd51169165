"""The report's labels: translated once per language, never mixed up between languages."""

import pytest
from django.utils import translation

from reports.labels import severity_label, status_label, strength_label


def test_a_label_resolved_in_one_language_is_not_reused_for_the_other():
    with translation.override("en"):
        assert status_label("partial") == "Partly compliant"
    with translation.override("ja"):
        assert status_label("partial") == "一部適合"
    with translation.override("en"):
        assert status_label("partial") == "Partly compliant"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_labels_are_plain_strings_and_unknown_codes_are_shown_as_they_are(language):
    with translation.override(language):
        assert type(strength_label("binding")) is str
        assert severity_label("no-such-code") == "no-such-code"
        assert status_label(None) == "—"


def test_a_label_asked_for_in_a_language_is_in_that_language_whatever_is_active():
    with translation.override("en"):
        assert status_label("partial", "ja") == "一部適合"
        assert status_label("partial") == "Partly compliant"
    with translation.override("ja"):
        assert status_label("partial", "en") == "Partly compliant"
        assert status_label("partial") == "一部適合"
