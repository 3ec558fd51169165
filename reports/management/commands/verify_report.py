"""``manage.py verify_report FILE [--code CODE]``: is this PDF a report this Tekigo issued, unchanged?

Checks the PDF's signature (this instance's key, whole file covered, intact), its SHA-256
against the one stored at issue, and the verification code (typed, or the one in the file).
Exit status 0 when genuine and unchanged; 1 with the reason otherwise.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.verification import Verdict, code_normalize, report_verification_check


class Command(BaseCommand):
    help = "Check that a PDF is a report this Tekigo issued and that it is unchanged."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the PDF to check")
        parser.add_argument("--code", default="", help="the verification code on the cover")

    def handle(self, *args, file, code, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        normalized = code_normalize(code) if code else None
        if code and normalized is None:
            raise CommandError(_("Unknown: %(code)s is not a verification code.") % {"code": code})
        result = report_verification_check(content=path.read_bytes(), code=normalized)
        signature = result.signature
        self.stdout.write(
            _("Signature: %(status)s%(signer)s%(when)s")
            % {
                "status": signature.status.label if signature else "-",
                "signer": f", {signature.signer}" if signature and signature.signer else "",
                "when": f", {signature.signed_at:%Y-%m-%d %H:%M %Z}"
                if signature and signature.signed_at
                else "",
            }
        )
        if result.verdict == Verdict.UNKNOWN:
            raise CommandError(_("Unknown: this Tekigo issued no report that matches this file."))
        facts = {"number": result.report_number, "date": result.issued_on.isoformat()}
        if result.verdict != Verdict.GENUINE:
            raise CommandError(
                _(
                    "Altered: the file claims to be report %(number)s issued on %(date)s, but it "
                    "is not the file that was issued."
                )
                % facts
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("Genuine: issued by this Tekigo on %(date)s as report %(number)s, unchanged.")
                % facts
            )
        )
