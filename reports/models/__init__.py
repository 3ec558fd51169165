"""Reports: frozen gap analyses of an assessment, rendered to PDF by a worker."""

from reports.models.reports import Report, ReportLanguage, ReportStatus

__all__ = ["Report", "ReportLanguage", "ReportStatus"]
