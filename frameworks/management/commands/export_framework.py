import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import F

from frameworks.files import dump_document
from frameworks.models import FrameworkVersion
from frameworks.selectors import framework_version_document


class Command(BaseCommand):
    help = "Write framework versions back to files that load to the same content hash."

    def add_arguments(self, parser):
        parser.add_argument("urn", nargs="?", help="framework URN, e.g. urn:tekigo:fw:appi")
        parser.add_argument("version", nargs="?", help="version label, e.g. 20220401")
        parser.add_argument(
            "--all", action="store_true", help="export every version into --output (a folder)"
        )
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument(
            "--output", "-o", help="file (or folder with --all); default: standard output"
        )

    def handle(self, *args, urn, version, all, format, output, **options):
        if all:
            if not output:
                raise CommandError("--all needs --output FOLDER")
            folder = Path(output)
            folder.mkdir(parents=True, exist_ok=True)
            versions = FrameworkVersion.objects.select_related("framework").order_by(
                "framework__urn", F("effective_date").asc(nulls_last=True), "id"
            )
            for v in versions:
                name = f"{v.framework.urn.rsplit(':', 1)[-1]}-{re.sub(r'[^0-9A-Za-z.-]', '-', v.version)}.{format}"
                (folder / name).write_text(
                    dump_document(framework_version_document(version=v), fmt=format),
                    encoding="utf-8",
                )
                self.stdout.write(f"wrote {folder / name}")
            return
        if not (urn and version):
            raise CommandError("name a framework URN and a version label, or use --all")
        v = (
            FrameworkVersion.objects.select_related("framework")
            .filter(framework__urn=urn, version=version)
            .first()
        )
        if v is None:
            raise CommandError(f"no version {version!r} of {urn!r}")
        text = dump_document(framework_version_document(version=v), fmt=format)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {output}")
        else:
            self.stdout.write(text, ending="")
