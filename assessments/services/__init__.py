"""Writes to assessments: create, scope, answer, attach evidence, submit, reopen, upgrade.

Every service checks the lock and the caller's expectations (revisions) before
writing, writes inside one transaction, and appends an audit row.
"""

from ._shared import (  # noqa: F401
    AnswerConflictError,
    AssessmentIncompleteError,
    AssessmentLockedError,
    AssessmentStaleError,
    AssessmentStateError,
)
from .actions import (  # noqa: F401
    ActionInput,
    action_create,
    action_evidence_download_record,
    action_evidence_upload,
    action_update,
)
from .answers import (  # noqa: F401
    AnswerInput,
    AnswerSaved,
    answer_autosave,
    answer_save,
)
from .assignments import (  # noqa: F401
    assessment_plan_update,
    assignment_create,
    assignment_delete,
)
from .bulk import (  # noqa: F401
    BulkAnswerError,
    ItemError,
    answers_bulk_save,
)
from .creation import (  # noqa: F401
    assessment_create,
    assessment_create_from_urns,
    assessment_scoping_update,
)
from .evidence import (  # noqa: F401
    evidence_delete,
    evidence_download_record,
    evidence_upload,
)
from .framework_updates import (  # noqa: F401
    framework_version_published_notify,
)
from .lifecycle import (  # noqa: F401
    assessment_reopen,
    assessment_submit,
)
from .reminders import (  # noqa: F401
    DUE_SOON_DAYS,
    due_reminders_send,
)
from .reviews import (  # noqa: F401
    ReviewOpenError,
    assessment_approved_set,
    assessment_return,
    question_review_set,
    review_comment_add,
    review_resolve,
)
from .rollforward import (  # noqa: F401
    RollForwardResult,
    assessment_roll_forward,
)
from .sections import (  # noqa: F401
    section_not_applicable,
)
from .upgrade import (  # noqa: F401
    assessment_upgrade,
)
from .workbook_import import (  # noqa: F401
    WorkbookImportError,
    WorkbookImportResult,
    answers_workbook_import,
)
