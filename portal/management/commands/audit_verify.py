"""``manage.py audit_verify``: check the audit log's hash chain; exit 1 at the first broken row."""

from django.core.management.base import BaseCommand, CommandError

from portal.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Walks the audit log's hash chain and reports the first row edited, removed or inserted outside Tekigo."

    def handle(self, *args, **options):
        checked, broken = audit_chain_verify()
        if broken is not None:
            where = f"row {broken.row_id}" if broken.row_id is not None else "the end of the log"
            raise CommandError(
                f"The audit log is broken at {where}: {broken.reason} ({checked} rows read)."
            )
        self.stdout.write(f"The audit log is intact: {checked} rows chained.")
