"""Report pages: request, status panel, download, HTML view, verification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments.selectors import access_assessment
from reports import selectors, services
from reports.downloads import report_file_response
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
    return render(
        request,
        "reports/_panel.html",
        {"assessment": access.assessment, "reports": reports, "pending": pending},
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
