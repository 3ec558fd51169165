"""Reads of assessments, always through organisation scoping.

``access_*`` selectors are the only way a view reaches an assessment: they
give the same 404 for a missing assessment and for one of another
organisation, and refuse writes by auditors with PermissionDenied (403).
"""

from .access import (  # noqa: F401
    REVIEW_OPEN_STATES,
    AssessmentAccess,
    access_assessment,
    access_assessment_evidence,
    access_assessment_for_roll_forward,
    access_evidence,
    access_organisation_for_create,
    access_question,
    membership_can_create_assessment,
)
from .actions import (  # noqa: F401
    ActionFilters,
    access_action,
    access_action_evidence,
    action_list,
    action_status_counts,
)
from .assignments import (  # noqa: F401
    WorkItem,
    assigned_question_ids,
    assignment_list,
    assignment_question_ids,
    my_work_list,
)
from .filters import (  # noqa: F401
    MissingAnswers,
    MissingFramework,
    MissingSection,
    QuestionFilters,
    missing_answer_list,
    open_query_question_ids,
    question_search_ids,
    questionnaire_filter,
    section_first_question_get,
)
from .history import (  # noqa: F401
    HISTORY_BURST,
    HistoryChange,
    HistoryEntry,
    history_entry_list,
    history_filter_choices,
)
from .lists import (  # noqa: F401
    answer_list,
    assessment_get,
    assessment_list,
    evidence_list,
    pins_of,
    pins_of_revision,
)
from .portfolio import (  # noqa: F401
    action_counts_by_assessment,
    questionnaire_build_many,
)
from .questionnaire import (  # noqa: F401
    FrameworkBlock,
    Progress,
    ProvisionBlock,
    QuestionBlock,
    Questionnaire,
    QuestionnaireChange,
    SectionBlock,
    questionnaire_build,
    questionnaire_change_get,
    questionnaire_question_get,
)
from .reviews import (  # noqa: F401
    ReviewProgress,
    question_review_list,
    review_attach,
    review_comment_list,
    review_progress_get,
)
from .upgrades import (  # noqa: F401
    QUESTION_CONTENT_FIELDS,
    SectionMove,
    UpgradePlan,
    assessment_history_list,
    choice_label,
    framework_version_upgrade_target,
    pin_get,
    section_move_get,
    upgrade_plan_get,
)
