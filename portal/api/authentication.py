from django.utils import timezone
from rest_framework import authentication, exceptions

from portal.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token tk_…``: looks the token up by its SHA-256. A token works only while
    its owner is active and has not changed password since the token was made."""

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace") != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "Give the token after 'Token ', with no spaces in it."
            )
        key = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_sha256=ApiToken.digest(key), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        # A deactivated owner's tokens are filtered out above; a token made before its owner's
        # last password change is refused, with the same message (no hint which it was).
        if token is None or token.password_fingerprint != ApiToken.password_fingerprint_of(
            token.user
        ):
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        # Record use at most once a minute: a token used in a tight loop should not write on every call.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
