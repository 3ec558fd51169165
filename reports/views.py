"""Report pages: request, status panel, download, HTML view, verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.selectors import access_assessment
from portal.limits import organisation_limit_response
from portal.middleware import PRIVATE_NO_STORE
from reports import packs as evidence_packs
from reports import selectors, services
from reports.analysis import gap_analysis_compute
from reports.downloads import evidence_pack_file_response, report_file_response
from reports.exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    actions_csv,
    actions_xlsx,
    gaps_csv,
    gaps_xlsx,
)
from reports.oscal import assessment_oscal_json
from reports.rendering import report_html_render


@login_required
@require_POST
def report_request(request, pk: int):
    """Officers and auditors of the organisation may ask for a report (reading is their right)."""
    access = access_assessment(user=request.user, pk=pk)
    try:
        services.report_request(
            actor=request.user,
            assessment=access.assessment,
            language=request.POST.get("language", ""),
        )
    except ValidationError as exc:
        if request.htmx:
            return HttpResponse(" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return reports_panel(request, pk)
    messages.success(request, _("Report requested. It appears below when it is ready."))
    return redirect("assessments:detail", pk=pk)


@login_required
def reports_panel(request, pk: int):
    access = access_assessment(user=request.user, pk=pk)
    reports = list(selectors.report_list(assessment=access.assessment)[:20])
    pending = any(r.is_pending for r in reports)
    signoff = selectors.signoff_live_get(assessment=access.assessment)
    return render(
        request,
        "reports/_panel.html",
        {
            "assessment": access.assessment,
            "reports": reports,
            "pending": pending,
            "signoff": signoff,
            "access": access,
        },
    )


@login_required
def report_download(request, pk: int):
    return report_file_response(
        actor=request.user, report=selectors.access_report(user=request.user, pk=pk)
    )


@login_required
def report_html(request, pk: int):
    """The same report as HTML, for reading in the browser."""
    report = selectors.access_report(user=request.user, pk=pk)
    html = report_html_render(
        snapshot=report.snapshot,
        language=report.language,
        report_meta=services.report_meta(report),
        for_pdf=False,
    )
    return HttpResponse(html)


@login_required
def report_verify(request):
    """Upload a PDF or paste its SHA-256: was it issued by Tekigo to one of your organisations?"""
    result, checked, error = None, None, None
    if request.method == "POST":
        upload = request.FILES.get("file")
        pasted = request.POST.get("sha256", "").strip()
        if upload is not None:
            if upload.size > 50 * 1024 * 1024:
                error = _("The file is too large to be a Tekigo report.")
            else:
                checked = selectors.file_sha256(upload)
        elif selectors.SHA256_PATTERN.match(pasted):
            checked = pasted.lower()
        else:
            error = _("Upload a PDF, or paste a SHA-256 of 64 hexadecimal characters.")
        if checked:
            result = selectors.report_verify_get(user=request.user, sha256=checked)
    status = 400 if error else 200
    return render(
        request,
        "reports/verify.html",
        {"result": result, "checked": checked, "error": error},
        status=status,
    )


# --- Approval --------------------------------------------------------------------------------


def _approval_confirm(request, access, *, statement: str, language: str, error=None, status=200):
    return render(
        request,
        "assessments/confirm.html",
        {
            "access": access,
            "assessment": access.assessment,
            "title": _("Approve the assessment"),
            "explanation": _(
                "Approving signs your statement, with your name, role and the date, bound to the "
                "SHA-256 of a report made now. If any answer changes later, newer reports are "
                "not approved."
            ),
            "action": reverse("reports:approve", args=[access.assessment.pk]),
            "button": _("Approve and sign"),
            "statement": statement,
            "language": language,
            "error": error,
        },
        status=status,
    )


@login_required
def assessment_approve(request, pk: int):
    """GET: the statement to sign and the report language. POST: approve (auditors, four eyes)."""
    access = access_assessment(user=request.user, pk=pk, review=True)
    language = request.POST.get("language") or (get_language() or "ja")[:2]
    statement = request.POST.get("statement", _(DEFAULT_STATEMENT))
    if request.method != "POST":
        return _approval_confirm(request, access, statement=statement, language=language)
    try:
        services.assessment_approve(
            actor=request.user,
            assessment=access.assessment,
            statement=statement,
            language=language,
            expected_revision=_revision(request),
        )
    except ValidationError as exc:
        if exc.__class__ is ValidationError:  # bad input: show the form again with the message
            return _approval_confirm(
                request,
                access,
                statement=statement,
                language=language,
                error=" ".join(exc.messages),
                status=400,
            )
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Approved. The signed report appears below when it is rendered.")
        )
    return redirect("assessments:detail", pk=pk)


@login_required
@require_POST
def assessment_reopen_approved(request, pk: int):
    """Reopen an approved assessment with a reason; its sign-off is voided."""
    access = access_assessment(user=request.user, pk=pk, write=True)
    try:
        services.assessment_reopen_approved(
            actor=request.user,
            assessment=access.assessment,
            reason=request.POST.get("reason", ""),
            expected_revision=_revision(request),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:reopen", pk=pk)
    messages.success(request, _("Reopened. The approval is void; the reason is in the history."))
    return redirect("assessments:detail", pk=pk)


#: The statement an approver starts from; they may rewrite it.
DEFAULT_STATEMENT = gettext_noop(
    "I have reviewed the answers and the evidence of this self-assessment and approve it "
    "as a fair statement of the organisation's position."
)


def _revision(request) -> int | None:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return None


# --- Gap exports -----------------------------------------------------------------------------


@login_required
def gaps_export(request, pk: int, fmt: str):
    """The assessment's current gaps as .xlsx or CSV, in the reader's language."""
    access = access_assessment(user=request.user, pk=pk)
    limited = organisation_limit_response(
        scope="exports", organisation_id=access.assessment.organisation_id
    )
    if limited is not None:
        return limited
    snapshot = gap_analysis_compute(assessment=access.assessment)
    return _table_response(
        name=f"tekigo-gaps-{pk}",
        fmt=fmt,
        build=lambda language: (gaps_csv if fmt == "csv" else gaps_xlsx)(snapshot, language),
    )


def _table_response(*, name: str, fmt: str, build) -> HttpResponse:
    """An export as an attachment in the reader's language: ``build(language)`` gives the bytes
    of ``fmt`` ("csv" or "xlsx"); the file is named ``<name>-<language>.<fmt>``, never cached."""
    language = get_language() or "ja"
    response = HttpResponse(
        build(language), content_type=CSV_CONTENT_TYPE if fmt == "csv" else XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-{language[:2]}.{fmt}"'
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response


@login_required
def assessment_oscal(request, pk: int):
    """The assessment's current results as OSCAL assessment results (JSON)."""
    access = access_assessment(user=request.user, pk=pk)
    limited = organisation_limit_response(
        scope="exports", organisation_id=access.assessment.organisation_id
    )
    if limited is not None:
        return limited
    response = HttpResponse(
        assessment_oscal_json(assessment=access.assessment), content_type="application/json"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="tekigo-assessment-{pk}.oscal-results.json"'
    )
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response


# --- Evidence packs --------------------------------------------------------------------------


@login_required
def evidence_packs_panel(request, pk: int):
    access = access_assessment(user=request.user, pk=pk)
    packs = list(selectors.evidence_pack_list(assessment=access.assessment)[:10])
    pending = any(p.is_pending for p in packs)
    return render(
        request,
        "reports/_packs.html",
        {"assessment": access.assessment, "packs": packs, "pending": pending},
    )


@login_required
@require_POST
def evidence_pack_request(request, pk: int):
    """Officers and auditors may ask for a pack of the evidence (reading is their right)."""
    access = access_assessment(user=request.user, pk=pk)
    limited = organisation_limit_response(
        scope="exports", organisation_id=access.assessment.organisation_id
    )
    if limited is not None:
        return limited
    evidence_packs.evidence_pack_request(actor=request.user, assessment=access.assessment)
    if request.htmx:
        return evidence_packs_panel(request, pk)
    messages.success(request, _("Evidence pack requested. It appears below when it is ready."))
    return redirect("assessments:detail", pk=pk)


@login_required
def evidence_pack_download(request, pk: int):
    pack = selectors.access_evidence_pack(user=request.user, pk=pk)
    return evidence_pack_file_response(actor=request.user, pack=pack)


# --- Portfolio dashboard ---------------------------------------------------------------------

from django.http import Http404  # noqa: E402

from portal.selectors import MemberAccess, membership_active_get  # noqa: E402
from reports.dashboard import portfolio_get  # noqa: E402


@login_required
def portfolio(request):
    """Where the organisation I work in stands, across its assessments and over time."""
    membership = membership_active_get(user=request.user, session=request.session)
    if membership is None or not MemberAccess(membership).can_read_all:
        raise Http404("No organisation.")
    return render(
        request,
        "reports/portfolio.html",
        {"portfolio": portfolio_get(organisation=membership.organisation)},
    )


@login_required
def actions_export(request, pk: int, fmt: str):
    """The assessment's action plan as .xlsx or CSV, in the reader's language."""
    from assessments.selectors import action_list

    access = access_assessment(user=request.user, pk=pk)
    limited = organisation_limit_response(
        scope="exports", organisation_id=access.assessment.organisation_id
    )
    if limited is not None:
        return limited
    actions = action_list(assessment=access.assessment)
    return _table_response(
        name=f"tekigo-actions-{pk}",
        fmt=fmt,
        build=lambda language: (actions_csv if fmt == "csv" else actions_xlsx)(actions, language),
    )
