import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from frameworks.document import FrameworkDocument

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "framework.schema.json"


def schema_text() -> str:
    schema = FrameworkDocument.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://tekigo.example/schemas/framework.schema.json"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = (
        "Write (or --check) frameworks/framework.schema.json, the JSON Schema of framework files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="fail if the committed schema is out of date"
        )

    def handle(self, *args, check, **options):
        text = schema_text()
        if check:
            if not SCHEMA_PATH.exists() or SCHEMA_PATH.read_text(encoding="utf-8") != text:
                raise CommandError(f"{SCHEMA_PATH} is out of date: run manage.py framework_schema")
            self.stdout.write("schema is current")
            return
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {SCHEMA_PATH}")
