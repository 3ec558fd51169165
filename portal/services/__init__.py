"""Project-wide write services."""

from .accounts import (  # noqa: F401
    ACCOUNT_FLAGS,
    account_change_record,
    account_delete_record,
    membership_change_record,
    user_deactivate,
)
from .audit import (  # noqa: F401
    audit_record,
    audit_record_many,
)
from .notifications import (  # noqa: F401
    Bilingual,
    notification_email_send,
    notification_mark_read,
    notification_settings_update,
    notify,
)
from .organisations import (  # noqa: F401
    organisation_report_settings_update,
)
from .people import (  # noqa: F401
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_role_change,
    password_change_record,
    password_reset_record,
)
from .tokens import (  # noqa: F401
    api_token_create,
    api_token_revoke,
)
