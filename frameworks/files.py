"""Reading framework files: YAML or JSON text → a validated :class:`FrameworkDocument`.

Every problem becomes a :class:`FileProblem` naming the file, the path inside
it and, where the YAML parser knows it, the line::

    appi-2022.yaml: sections[2].provisions[0].questions[1].type (line 88): Input should be 'yes_no_partial', ...
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from frameworks.document import FrameworkDocument, document_problems, format_loc


@dataclass(frozen=True)
class FileProblem:
    file: str
    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path or "(document)"
        line = f" (line {self.line})" if self.line else ""
        return f"{self.file}: {where}{line}: {self.message}"


class FrameworkFileError(Exception):
    """A framework file could not be read; ``problems`` lists every reason found."""

    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last silently)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

# YAML 1.1 reads yes/no/on/off as booleans, which would turn the choice key ``yes``
# into True. Only ``true`` and ``false`` are booleans here, as in YAML 1.2.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _line_of(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """Follow ``loc`` through the composed YAML tree; the line of the deepest node reached."""
    line = None
    for part in loc:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            key = {"not_": "not", "is_": "is"}.get(str(part), part)
            node = next((v for k, v in node.value if k.value == key), None)
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _loc_from_path(path: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for chunk in path.replace("]", "").split("."):
        name, *indexes = chunk.split("[")
        parts.append(name)
        parts.extend(int(i) for i in indexes)
    return tuple(parts)


def parse_framework_text(text: str, *, name: str) -> FrameworkDocument:
    """Parse and validate one framework file's text. Raises :class:`FrameworkFileError`."""
    is_json = name.endswith(".json")
    root: yaml.Node | None = None
    try:
        if is_json:
            data = json.loads(text)
        else:
            root = yaml.compose(text, Loader=_StrictLoader)
            data = yaml.load(text, Loader=_StrictLoader)
    except json.JSONDecodeError as exc:
        raise FrameworkFileError(
            [FileProblem(name, "", f"malformed JSON: {exc.msg}", exc.lineno)]
        ) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        message = " ".join(
            str(x) for x in (getattr(exc, "context", None), getattr(exc, "problem", None)) if x
        ) or str(exc)
        raise FrameworkFileError(
            [FileProblem(name, "", f"malformed YAML: {message}", mark.line + 1 if mark else None)]
        ) from exc
    if not isinstance(data, dict):
        raise FrameworkFileError(
            [FileProblem(name, "", "the file must hold one mapping (a framework version)")]
        )

    try:
        document = FrameworkDocument.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(
                p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-"))
            )
            message = error["msg"].removeprefix("Value error, ")
            problems.append(FileProblem(name, format_loc(loc), message, _line_of(root, loc)))
        raise FrameworkFileError(problems) from exc

    problems = [
        FileProblem(name, path, message, _line_of(root, _loc_from_path(path)))
        for path, message in document_problems(document)
    ]
    if problems:
        raise FrameworkFileError(problems)
    return document


def parse_framework_file(path: Path) -> FrameworkDocument:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkFileError(
            [FileProblem(str(path), "", f"cannot read the file: {exc}")]
        ) from exc
    return parse_framework_text(text, name=path.name)


def dump_document(document: FrameworkDocument, *, fmt: str = "yaml") -> str:
    """Serialise a document; YAML keeps Japanese readable and the field order of the schema."""
    data = document.model_dump(mode="json", by_alias=True, exclude_none=True)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def main(argv: list[str] | None = None) -> int:
    """``python -m frameworks.files FILE...``: validate framework files without a database."""
    import sys

    from frameworks.document import iter_questions

    status = 0
    for arg in argv if argv is not None else sys.argv[1:]:
        try:
            document = parse_framework_file(Path(arg))
        except FrameworkFileError as exc:
            print(exc, file=sys.stderr)
            status = 1
        else:
            count = sum(1 for _ in iter_questions(document))
            print(f"{arg}: ok ({count} questions)")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
