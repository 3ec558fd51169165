"""API tokens stop working when their owner's password changes or the account is deactivated."""

import pytest
from rest_framework.test import APIClient

from portal.services import api_token_create, user_deactivate

pytestmark = pytest.mark.django_db


def call(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/assessments/")


def test_a_token_works_until_its_owner_changes_password(officer):
    _token, key = api_token_create(user=officer, name="CI")
    assert call(key).status_code == 200
    officer.set_password("a-brand-new-phrase-77")
    officer.save()
    response = call(key)
    assert response.status_code == 401
    assert response.json()["errors"][0]["message"] == "Invalid or revoked token."
    # A token made after the change works.
    _token, fresh = api_token_create(user=officer, name="CI again")
    assert call(fresh).status_code == 200


def test_a_token_stops_working_when_its_owner_is_deactivated(officer, staff):
    _token, key = api_token_create(user=officer, name="CI")
    assert call(key).status_code == 200
    user_deactivate(actor=staff, user=officer)
    assert call(key).status_code == 401


def test_signing_in_does_not_invalidate_tokens(client, officer):
    _token, key = api_token_create(user=officer, name="CI")
    from django.urls import reverse

    response = client.post(
        reverse("login"), {"username": "officer", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert call(key).status_code == 200
