"""The questionnaire workbook: export and import."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments import selectors, services
from assessments.workbooks import (
    MAX_WORKBOOK_BYTES,
    XLSX_CONTENT_TYPE,
    questionnaire_workbook_build,
)
from portal.limits import organisation_limit_response
from portal.middleware import PRIVATE_NO_STORE

from ._shared import _language

# --- Workbook export and import --------------------------------------------------------------


@login_required
def questionnaire_export(request, pk: int):
    """The questionnaire as an Excel workbook in the reader's language."""
    access = selectors.access_assessment(user=request.user, pk=pk)
    limited = organisation_limit_response(
        scope="exports", organisation_id=access.assessment.organisation_id
    )
    if limited is not None:
        return limited
    content = questionnaire_workbook_build(assessment=access.assessment, language=_language())
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="tekigo-assessment-{pk}-{_language()[:2]}.xlsx"'
    )
    response["Cache-Control"] = PRIVATE_NO_STORE
    return response


@login_required
def questionnaire_import(request, pk: int):
    """Upload a workbook filled offline: every problem is listed and nothing is written, or every
    changed answer is saved."""
    access = selectors.access_assessment(user=request.user, pk=pk, write=request.method == "POST")
    errors, status = [], 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors, status = [_("Choose a workbook to upload.")], 400
        elif upload.size > MAX_WORKBOOK_BYTES:
            errors, status = [_("The file is larger than 10 MB.")], 400
        else:
            try:
                result = services.answers_workbook_import(
                    actor=request.user,
                    assessment=access.assessment,
                    name=upload.name,
                    content=upload.read(),
                    language=_language(),
                )
            except services.WorkbookImportError as exc:
                errors, status = exc.errors, 400
            except ValidationError as exc:
                errors, status = exc.messages, 409
            else:
                messages.success(
                    request,
                    _("Workbook imported: %(changed)d answers changed, %(unchanged)d unchanged.")
                    % {"changed": result.changed, "unchanged": result.unchanged},
                )
                return redirect("assessments:detail", pk=pk)
    context = {"access": access, "assessment": access.assessment, "errors": errors}
    return render(request, "assessments/import.html", context, status=status)
