from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from frameworks.files import FrameworkFileError
from frameworks.services import framework_files_load


class Command(BaseCommand):
    help = "Load framework files (default: the whole catalog). All or nothing; a second run changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "paths", nargs="*", help="YAML/JSON files or folders (default: the catalog)"
        )

    def handle(self, *args, paths, **options):
        files: list[Path] = []
        for raw in paths or [str(settings.FRAMEWORK_CATALOG_DIR)]:
            path = Path(raw)
            if path.is_dir():
                files.extend(
                    sorted(
                        p
                        for p in path.iterdir()
                        if p.suffix in {".yaml", ".yml", ".json"}
                        and not p.name.endswith(".schema.json")
                    )
                )
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{raw}: no such file or folder")
        if not files:
            raise CommandError("no framework files found")
        try:
            results = framework_files_load(paths=files)
        except FrameworkFileError as exc:
            raise CommandError(f"nothing was loaded:\n{exc}") from exc
        except DatabaseError as exc:  # the whole load is one transaction: it rolled back
            raise CommandError(f"nothing was loaded: the database refused a write ({exc})") from exc
        created = 0
        for path, result in results:
            created += result.action == "created"
            self.stdout.write(
                f"{result.action:9} {result.version.framework.urn} {result.version.version}  ({path.name})"
            )
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{created} version(s) loaded, {len(results) - created} unchanged."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(f"No change: all {len(results)} version(s) already loaded.")
            )
