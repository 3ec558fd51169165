"""Reports: frozen gap analyses of an assessment, rendered to PDF by a worker, and sign-offs; evidence packs."""

from reports.models.packs import EvidencePack, EvidencePackStatus
from reports.models.reports import Report, ReportLanguage, ReportStatus
from reports.models.signoffs import SignOff

__all__ = [
    "EvidencePack",
    "EvidencePackStatus",
    "Report",
    "ReportLanguage",
    "ReportStatus",
    "SignOff",
]
