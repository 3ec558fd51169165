"""Reports: frozen gap analyses of an assessment, rendered to PDF by a worker, and sign-offs."""

from reports.models.reports import Report, ReportLanguage, ReportStatus
from reports.models.signoffs import SignOff

__all__ = ["Report", "ReportLanguage", "ReportStatus", "SignOff"]
