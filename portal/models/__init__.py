"""Tekigo's project-wide models: users and the append-only audit log."""

from portal.models.audit import AuditEvent, AuditEventType, AuditLogError
from portal.models.users import User

__all__ = ["AuditEvent", "AuditEventType", "AuditLogError", "User"]
