"""Assessment pages. Each view reaches its assessment through an ``access_*`` selector and
changes it only through a service; the templates render what the selectors computed.
"""

from .actions import (  # noqa: F401
    ActionFilterForm,
    ActionForm,
    ActionUpdateForm,
    action_detail,
    action_evidence_download,
    action_evidence_upload,
    action_plan,
    assessment_actions,
)
from .answers import (  # noqa: F401
    answer_save,
    evidence_delete,
    evidence_download,
    evidence_upload,
)
from .assignments import (  # noqa: F401
    AssignmentForm,
    assessment_plan,
    assignment_delete,
    assignments,
    mine,
    my_work,
)
from .history import (  # noqa: F401
    HISTORY_PAGE_SIZE,
    history,
)
from .lifecycle import (  # noqa: F401
    assessment_reopen,
    assessment_submit,
)
from .pages import (  # noqa: F401
    assessment_create,
    assessment_detail,
    dashboard,
    scoping_edit,
    section,
)
from .questions import (  # noqa: F401
    QuestionFilterForm,
    questions,
)
from .reviews import (  # noqa: F401
    assessment_return,
    question_review,
    review_comment,
    review_list,
    review_resolve,
)
from .sections import (  # noqa: F401
    section_not_applicable,
)
from .upgrade import (  # noqa: F401
    upgrade,
)
from .workbook import (  # noqa: F401
    questionnaire_export,
    questionnaire_import,
)
