"""The history page as people read it: question texts, answer labels, comment diffs, event names
in the reader's language, autosave bursts folded, filters, paging, CSV, and its query count."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.selectors import assessment_history_list, history_entry_list
from assessments.services import AnswerInput, answer_save
from portal.models import AuditEvent
from tests.conftest import question_of
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 5, 11, 9, 0, tzinfo=dt.UTC)


def save_at(assessment, user, minutes, suffix="q:art-7-contact", **data):
    question = question_of(assessment.pins.get().version, suffix)
    with mock.patch.object(timezone, "now", return_value=T0 + dt.timedelta(minutes=minutes)):
        return answer_save(
            actor=user, assessment=assessment, question_id=question.pk, data=AnswerInput(**data)
        )


@pytest.fixture
def burst(assessment, officer):
    """Three autosaves within three minutes, then one twenty minutes later."""
    save_at(assessment, officer, 0, value="no")
    save_at(assessment, officer, 1, value="partial", comment="Drafted")
    save_at(assessment, officer, 3, value="yes", comment="Drafted, approved by legal")
    save_at(assessment, officer, 20, value="yes", comment="Approved by legal")
    return assessment


@pytest.fixture(autouse=True)
def _english():
    """Field names follow the active language; pages choose theirs from the request."""
    from django.utils import translation

    with translation.override("en"):
        yield


def entries(assessment, language="en", **filters):
    return history_entry_list(
        assessment=assessment,
        events=assessment_history_list(assessment=assessment, **filters),
        language=language,
    )


def test_a_burst_of_autosaves_reads_as_one_entry_with_labels_and_a_comment_diff(burst):
    saves = [e for e in entries(burst) if e.event_type == "answer.saved"]
    assert [e.count for e in saves] == [1, 3]
    folded = saves[1]
    assert folded.first_at == T0 and folded.occurred_at == T0 + dt.timedelta(minutes=3)
    assert folded.question.urn.endswith("art-7-contact")
    changes = {c.label: c for c in folded.changes}
    assert (changes["Answer"].before, changes["Answer"].after) == ("", "Yes")
    assert changes["Comment"].after == "Drafted, approved by legal"
    later = {c.label: c for c in saves[0].changes}
    assert "Answer" not in later  # unchanged fields are not listed
    assert later["Comment"].diff == [
        ("-", "Drafted, approved"),
        ("+", "Approved"),
        ("=", "by legal"),
    ]
    assert AuditEvent.objects.filter(event_type="answer.saved").count() == 4  # log untouched


def test_japanese_labels_for_japanese_readers(burst):
    folded = [e for e in entries(burst, language="ja") if e.count == 3][0]
    assert {c.after for c in folded.changes} >= {"はい"}


def test_another_person_breaks_a_burst(assessment, officer):
    colleague = MembershipFactory(
        user__username="officer2", organisation=assessment.organisation, role="officer"
    ).user
    save_at(assessment, officer, 0, value="no")
    save_at(assessment, colleague, 1, value="partial")
    save_at(assessment, officer, 2, value="yes")
    assert [e.count for e in entries(assessment) if e.event_type == "answer.saved"] == [1, 1, 1]


def test_filters_by_person_kind_question_and_day(burst, officer):
    urn = question_of(burst.pins.get().version, "q:art-7-contact").urn
    assert {e.actor_name for e in entries(burst, actor_name="officer")} == {"officer"}
    assert entries(burst, actor_name="nobody") == []
    assert {e.event_type for e in entries(burst, event_type="answer.saved")} == {"answer.saved"}
    assert {e.subject for e in entries(burst, subject=urn)} == {urn}
    assert len(entries(burst, date_from=dt.date(2026, 5, 11), date_to=dt.date(2026, 5, 11))) == 2
    assert entries(burst, date_from=dt.date(2026, 5, 12), event_type="answer.saved") == []


def test_page_shows_question_text_labels_and_translated_event_names(client, burst, officer):
    client.force_login(officer)
    url = reverse("assessments:history", args=[burst.pk])
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    question = question_of(burst.pins.get().version, "q:art-7-contact")
    assert question.prompt_en in english and "Answer saved" in english
    assert "{&#x27;value&#x27;" not in english and "{'value'" not in english  # no Python dicts
    assert "<del>Drafted, approved</del> <ins>Approved</ins> by legal" in english
    japanese = client.get(url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert question.prompt_ja in japanese and "回答を保存" in japanese


def test_page_filters_and_pages(client, assessment, officer):
    for minute in range(0, 60 * 11, 10):  # 66 saves ten minutes apart: no burst folds them
        save_at(assessment, officer, minute, value="yes" if minute % 20 else "no")
    client.force_login(officer)
    url = reverse("assessments:history", args=[assessment.pk])
    first = client.get(url, {"kind": "answer.saved"}, HTTP_ACCEPT_LANGUAGE="en")
    assert first.context["page"].paginator.count == 66
    assert len(first.context["entries"]) == 50 and 'rel="next"' in first.content.decode()
    second = client.get(url, {"kind": "answer.saved", "page": 2}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(second.context["entries"]) == 16
    assert "kind=answer.saved&amp;page=1" in second.content.decode()


def test_csv_export_is_utf8_with_a_bom_and_readable_rows(client, burst, officer):
    client.force_login(officer)
    response = client.get(
        reverse("assessments:history", args=[burst.pk]),
        {"format": "csv", "kind": "answer.saved"},
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith("\ufeff".encode())
    text = body.decode("utf-8-sig")
    assert "回答を保存" in text and "はい" in text and "{'value'" not in text
    assert len(text.strip().splitlines()) >= 3  # header and two entries


def test_history_page_query_count_does_not_grow_with_events(client, assessment, officer):
    client.force_login(officer)
    url = reverse("assessments:history", args=[assessment.pk])
    counts = []
    for start in (0, 1000):
        for minute in range(start, start + 10 * 15, 10):
            save_at(assessment, officer, minute, value="no" if minute % 20 else "yes")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] and counts[0] <= 12


def test_a_bad_date_is_named_with_a_400_and_the_other_filters_still_apply(client, burst, officer):
    client.force_login(officer)
    response = client.get(
        reverse("assessments:history", args=[burst.pk]),
        {"date_from": "yesterday", "kind": "assessment.created"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"date_from"}
    assert {e.event_type for e in response.context["entries"]} == {"assessment.created"}


def test_the_history_link_of_an_unchanged_question_shows_nothing_rather_than_everything(
    client, burst, officer
):
    client.force_login(officer)
    urn = question_of(burst.pins.get().version, "q:pi-channels").urn
    response = client.get(reverse("assessments:history", args=[burst.pk]), {"question": urn})
    assert response.status_code == 200 and list(response.context["entries"]) == []


def test_history_api_names_events_in_the_readers_language(burst, officer):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(officer)
    body = api.get(f"/api/v1/assessments/{burst.pk}/history/", HTTP_ACCEPT_LANGUAGE="ja").json()
    rows = body["results"] if isinstance(body, dict) else body
    assert {r["event_label"] for r in rows if r["event_type"] == "answer.saved"} == {"回答を保存"}
