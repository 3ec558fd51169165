import pytest

from portal.models import AuditEvent, AuditEventType, AuditLogError
from portal.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(user):
    return audit_record(
        actor=user, event_type=AuditEventType.FRAMEWORK_VERSION_LOADED, obj=user, after={"x": 1}
    )


def test_audit_record_copies_the_actor_name_and_object(event, user):
    assert event.actor_name == "reader"
    assert event.object_type == "portal.user"
    assert event.object_id == str(user.pk)


def test_audit_rows_cannot_be_edited(event):
    event.after = {"x": 2}
    with pytest.raises(AuditLogError):
        event.save()
    with pytest.raises(AuditLogError):
        AuditEvent.objects.filter(pk=event.pk).update(after={"x": 3})
    event.refresh_from_db()
    assert event.after == {"x": 1}


def test_audit_rows_cannot_be_deleted(event):
    with pytest.raises(AuditLogError):
        event.delete()
    with pytest.raises(AuditLogError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 1


def test_audit_row_survives_the_actor_being_removed(event, user):
    user.delete()
    event.refresh_from_db()
    assert event.actor is None
    assert event.actor_name == "reader"


def test_request_id_is_recorded_for_changes_made_in_a_request(staff_client, published_version):
    from django.urls import reverse

    response = staff_client.post(
        reverse("frameworks:clone", args=[published_version.pk]),
        {"version": "9.9"},
        HTTP_X_REQUEST_ID="req-123",
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(request_id="req-123").exists()
