"""Reports: frozen gap analyses of an assessment, rendered to PDF by a worker; evidence packs."""

from reports.models.packs import EvidencePack, EvidencePackStatus
from reports.models.reports import Report, ReportLanguage, ReportStatus

__all__ = ["EvidencePack", "EvidencePackStatus", "Report", "ReportLanguage", "ReportStatus"]
