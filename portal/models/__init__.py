"""Tekigo's project-wide models: users and the append-only audit log."""

from portal.models.audit import AuditChainHead, AuditEvent, AuditEventType, AuditLogError
from portal.models.invitations import Invitation
from portal.models.notifications import Notification, NotificationKind, NotificationSettings
from portal.models.tenancy import Membership, Organisation, Role
from portal.models.tokens import ApiToken
from portal.models.users import User

__all__ = [
    "ApiToken",
    "AuditChainHead",
    "AuditEvent",
    "AuditEventType",
    "AuditLogError",
    "Invitation",
    "Membership",
    "Notification",
    "NotificationKind",
    "NotificationSettings",
    "Organisation",
    "Role",
    "User",
]
