"""The bilingual review register: a record that the Japanese and English of every current question
say the same thing, which fails as soon as a question changes without being read again.

A question's *wording* is everything a user reads for it, in both languages: the prompt, the help,
the choice labels and the remediation. Its fingerprint is the first 16 hex digits of the SHA-256 of
that wording (see :func:`question_wording_hash`). The register,
``frameworks/catalog/reviews/bilingual-review.yaml``, lists for the newest version of each framework
every question URN with that fingerprint and the date a bilingual editor last read the pair side by
side. Example entry::

    urn:tekigo:fw:appi:q:art-27-consent:
      wording: 5b0c6e2f9a1d3e47
      checked: 2026-11-29
      aligned_in: 20260717r2   # only where the review changed the wording

:func:`register_problems` compares the register with the catalog: a question whose wording changed,
a new question, a question that is gone, or a newer framework version than the one reviewed is a
problem, so such a change cannot pass the tests until someone re-reads the pair and updates the
entry. The register lives outside the catalog's ``*.yaml`` files so that ``load_frameworks`` never
mistakes it for a framework.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, StringConstraints

from frameworks.document import FrameworkDocument, QuestionDoc, Strict, Urn, iter_questions

REGISTER_PATH = Path(__file__).parent / "catalog" / "reviews" / "bilingual-review.yaml"

Fingerprint = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{16}$")]


class ReviewedQuestion(Strict):
    """One question as it was read: its wording fingerprint and when it was checked."""

    wording: Fingerprint
    checked: dt.date
    #: The framework version whose release aligned this question's wording, if the review changed it.
    aligned_in: str | None = None


class ReviewedFramework(Strict):
    """The reviewed version of one framework and every question in it."""

    urn: Urn
    version: str
    questions: dict[Urn, ReviewedQuestion] = Field(min_length=1)


class BilingualRegister(Strict):
    frameworks: list[ReviewedFramework] = Field(min_length=1)


def question_wording(question: QuestionDoc) -> dict:
    """Everything a user reads for ``question``, in both languages, in a stable shape."""
    return {
        "prompt": [question.prompt.ja, question.prompt.en],
        "help": [question.help.ja, question.help.en] if question.help else None,
        "choices": [[c.key, c.label.ja, c.label.en] for c in question.choices or []],
        "remediation": [question.remediation.ja, question.remediation.en],
    }


def question_wording_hash(question: QuestionDoc) -> str:
    """The 16-hex-digit fingerprint of :func:`question_wording`; any changed character changes it."""
    canonical = json.dumps(question_wording(question), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def newest_documents(
    named: Iterable[tuple[str, FrameworkDocument]],
) -> dict[str, tuple[str, FrameworkDocument]]:
    """Framework URN → ``(file name, document)`` of its newest version, as the portal orders them.

    The portal's order (``frameworks.models.NEWEST_FIRST``) is the latest effective date, an
    undated (reported) version counting as newest, then load order; ``load_frameworks`` loads the
    catalog in file-name order, so the file name breaks ties. Example: ``appi-20260717r2.yaml``
    is newer than ``appi-20260717.yaml`` (same date, loaded later).
    """

    def key(item: tuple[str, FrameworkDocument]):
        name, document = item
        date = document.effective_date
        return (date is None, date or dt.date.min, name)

    newest: dict[str, tuple[str, FrameworkDocument]] = {}
    for item in sorted(named, key=key):
        newest[item[1].urn] = item
    return newest


def register_load(path: Path = REGISTER_PATH) -> BilingualRegister:
    """Read and validate the register file."""
    return BilingualRegister.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def register_problems(
    *, register: BilingualRegister, newest: dict[str, tuple[str, FrameworkDocument]]
) -> list[str]:
    """Every way the register and the newest catalog versions disagree; empty when it is current."""
    problems: list[str] = []
    reviewed = {f.urn: f for f in register.frameworks}
    for urn in sorted(set(reviewed) - set(newest)):
        problems.append(f"{urn}: in the register but not in the catalog")
    for urn, (name, document) in sorted(newest.items()):
        entry = reviewed.get(urn)
        if entry is None:
            problems.append(f"{urn}: {name} has never been reviewed")
            continue
        if entry.version != document.version:
            problems.append(
                f"{urn}: the register reviewed version {entry.version}, the newest is "
                f"{document.version} ({name})"
            )
        current = {q.urn: question_wording_hash(q) for _where, q in iter_questions(document)}
        for q_urn in sorted(set(entry.questions) - set(current)):
            problems.append(f"{q_urn}: in the register but no longer in {name}")
        for q_urn, wording in current.items():
            seen = entry.questions.get(q_urn)
            if seen is None:
                problems.append(f"{q_urn}: new in {name}, not reviewed (wording {wording})")
            elif seen.wording != wording:
                problems.append(
                    f"{q_urn}: wording changed since it was checked on {seen.checked} "
                    f"(register {seen.wording}, now {wording}); re-read both languages"
                )
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m frameworks.bilingual_review``: list what the register misses, without a database.

    Each stale or new question is printed with its current fingerprint; after reading its Japanese
    and English side by side (and fixing them in a new version if they differ), copy the
    fingerprint into the register with the date of the reading.
    """
    import sys

    from frameworks.files import parse_framework_file

    catalog = Path(argv[0]) if argv else REGISTER_PATH.parent.parent
    named = [(path.name, parse_framework_file(path)) for path in sorted(catalog.glob("*.yaml"))]
    problems = register_problems(register=register_load(), newest=newest_documents(named))
    for problem in problems:
        print(problem, file=sys.stderr)
    if not problems:
        print("bilingual review register: up to date")
    return 1 if problems else 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
