import io

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
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_user_the_log_names_as_actor_cannot_be_deleted(event, user):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        user.delete()
    event.refresh_from_db()
    assert event.actor == user and event.actor_name == "reader"


def test_request_id_is_recorded_for_changes_made_in_a_request(staff_client, published_version):
    from django.urls import reverse

    response = staff_client.post(
        reverse("frameworks:clone", args=[published_version.pk]),
        {"version": "9.9"},
        HTTP_X_REQUEST_ID="req-123",
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(request_id="req-123").exists()


# --- The hash chain (issue 14) ------------------------------------------------------------------


def chain_is_intact():
    from portal.selectors import audit_chain_verify

    return audit_chain_verify()[1] is None


def test_each_row_carries_the_previous_rows_hash(user):
    from portal.services import audit_record_many

    first = audit_record(actor=user, event_type=AuditEventType.ANSWER_SAVED, obj=user)
    many = audit_record_many(
        [
            {
                "actor": user,
                "event_type": AuditEventType.ANSWER_SAVED,
                "obj": user,
                "after": {"n": n},
            }
            for n in range(3)
        ]
    )
    rows = list(AuditEvent.objects.order_by("id"))
    assert [row.pk for row in rows][-4:] == [first.pk, *[row.pk for row in many]]
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.row_hash and len(after.row_hash) == 64
    assert all(row.row_hash == row.compute_hash() for row in rows)
    assert chain_is_intact()


def test_the_hash_survives_the_database_round_trip_of_json_and_times(user):
    event = audit_record(
        actor=user,
        event_type=AuditEventType.ANSWER_SAVED,
        obj=user,
        before={"z": [1, 2.5, None], "a": "日本語"},
        after={"b": {"y": True, "x": "<&>"}},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.compute_hash() == event.row_hash


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE portal_auditevent SET object_repr = 'edited' WHERE id = %s",
        "UPDATE portal_auditevent SET after = '{\"x\": 99}' WHERE id = %s",
        "DELETE FROM portal_auditevent WHERE id = %s",
    ],
)
def test_audit_verify_finds_a_row_changed_directly_in_the_database(user, sql):
    from django.core.management import CommandError, call_command
    from django.db import connection

    rows = [
        audit_record(actor=user, event_type=AuditEventType.ANSWER_SAVED, obj=user, after={"x": n})
        for n in range(4)
    ]
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "intact" in out.getvalue()
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows[1].pk])
    with pytest.raises(CommandError) as broken:
        call_command("audit_verify")
    # An edited row is named; a removed one shows as the next row not following its predecessor.
    expected = rows[2].pk if sql.startswith("DELETE") else rows[1].pk
    assert f"row {expected}:" in str(broken.value)


def test_audit_verify_exits_1_from_the_command_line_after_an_edit(user):
    from django.core.management import execute_from_command_line
    from django.db import connection

    audit_record(actor=user, event_type=AuditEventType.ANSWER_SAVED, obj=user)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE portal_auditevent SET actor_name = 'someone-else'")
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "audit_verify"])
    assert exit_info.value.code == 1


def test_removing_the_newest_row_is_detected(user):
    from django.db import connection

    event = audit_record(actor=user, event_type=AuditEventType.ANSWER_SAVED, obj=user)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [event.pk])
    assert not chain_is_intact()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    import threading

    from django.db import connection

    from tests.factories import UserFactory

    users = [UserFactory(username=f"writer{n}") for n in range(4)]
    errors = []

    def write(user):
        try:
            for n in range(10):
                audit_record(
                    actor=user, event_type=AuditEventType.ANSWER_SAVED, obj=user, after={"n": n}
                )
        except Exception as exc:  # reported below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    hashes = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(hashes) == len(set(hashes))  # no two rows chained onto the same predecessor
    assert chain_is_intact()


# --- Account changes (issue 14) -----------------------------------------------------------------


def events_about(user, *types):
    return list(
        AuditEvent.objects.filter(
            object_type="portal.user", object_id=str(user.pk), event_type__in=types
        ).values_list("event_type", "actor_name", "before", "after")
    )


def test_staff_superuser_active_and_password_changes_are_audited(staff_client, staff, user):
    from django.urls import reverse

    response = staff_client.post(
        reverse("admin:portal_user_change", args=[user.pk]),
        {
            "username": user.username,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert events_about(user, AuditEventType.ACCOUNT_CHANGED) == [
        (
            "account.changed",
            "admin",
            {"is_staff": False, "is_superuser": False},
            {"is_staff": True, "is_superuser": True},
        )
    ]
    user.set_password("a-new-long-password-1")
    user.save()
    assert events_about(user, AuditEventType.ACCOUNT_PASSWORD_CHANGED) == [
        ("account.password_changed", "", None, None)
    ]
    # Signing in saves last_login only: no account event.
    before = AuditEvent.objects.count()
    user.save(update_fields=["last_login"])
    assert AuditEvent.objects.count() == before
    assert chain_is_intact()


def test_the_password_page_change_is_audited_with_the_user_as_actor(client, officer):
    from django.urls import reverse

    client.force_login(officer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-long-phrase-42",
            "new_password2": "another-long-phrase-42",
        },
    )
    assert response.status_code == 302
    assert events_about(officer, AuditEventType.ACCOUNT_PASSWORD_CHANGED) == [
        ("account.password_changed", "officer", None, None)
    ]


def test_membership_created_role_changed_and_removed_are_audited(organisation, user):
    from portal.models import Membership, Role

    membership = Membership.objects.create(user=user, organisation=organisation, role=Role.AUDITOR)
    membership.role = Role.OFFICER
    membership.save()
    membership.delete()
    rows = list(
        AuditEvent.objects.filter(object_type="portal.membership")
        .order_by("id")
        .values_list("event_type", "before", "after", "organisation_id", "subject")
    )
    assert rows[-3:] == [
        ("membership.created", None, {"role": "auditor"}, organisation.pk, "reader"),
        ("membership.changed", {"role": "auditor"}, {"role": "officer"}, organisation.pk, "reader"),
        ("membership.deleted", {"role": "officer"}, None, organisation.pk, "reader"),
    ]


def test_admin_offers_deactivation_not_deletion_for_a_user_with_audit_rows(
    staff_client, staff, event, user
):
    from django.urls import reverse

    change = staff_client.get(reverse("admin:portal_user_change", args=[user.pk]))
    assert reverse("admin:portal_user_delete", args=[user.pk]) not in change.content.decode()
    assert staff_client.get(reverse("admin:portal_user_delete", args=[user.pk])).status_code == 403
    response = staff_client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert events_about(user, AuditEventType.ACCOUNT_CHANGED) == [
        ("account.changed", "admin", {"is_active": True}, {"is_active": False})
    ]


def test_deleting_a_user_without_audit_rows_is_itself_audited(staff):
    from tests.factories import UserFactory

    newcomer = UserFactory(username="newcomer")
    pk = newcomer.pk
    newcomer.delete()
    assert AuditEvent.objects.filter(
        event_type=AuditEventType.ACCOUNT_DELETED,
        object_id=str(pk),
        before={"username": "newcomer"},
    ).exists()
