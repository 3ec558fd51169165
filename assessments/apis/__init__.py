"""Assessment API: the same access selectors and services as the pages."""

from .actions import (  # noqa: F401
    ActionCreateInput,
    ActionDetailApi,
    ActionListApi,
    ActionOutput,
    ActionWriteInput,
)
from .answers import (  # noqa: F401
    EVIDENCE_MEDIA_TYPES,
    AnswerFilter,
    AnswerListApi,
    EvidenceDownloadApi,
    EvidenceListApi,
    HistoryListApi,
)
from .assessment import (  # noqa: F401
    AssessmentDetailApi,
    AssessmentFilter,
    AssessmentListApi,
    AssessmentReopenApi,
    AssessmentScopingApi,
    AssessmentSubmitApi,
    AssessmentUpgradeApi,
)
from .questionnaire import (  # noqa: F401
    CommentListApi,
    CommentOutput,
    ProgressOutput,
    QuestionChoiceOutput,
    QuestionnaireAnswerOutput,
    QuestionnaireApi,
    QuestionnaireEvidenceOutput,
    QuestionnaireFrameworkOutput,
    QuestionnaireOutput,
    QuestionnaireProvisionOutput,
    QuestionnaireQuestionOutput,
    QuestionnaireSectionOutput,
)
from .reviews import (  # noqa: F401
    AssessmentReturnApi,
    QuestionReviewFilter,
    QuestionReviewInput,
    QuestionReviewListApi,
    QuestionReviewOutput,
    ReturnInput,
    ReviewCommentInput,
    ReviewCommentListApi,
    ReviewCommentOutput,
    ReviewResolveApi,
    ReviewResolveInput,
)
from .serializers import (  # noqa: F401
    AnswerItemInput,
    AnswerOutput,
    AnswerValueField,
    AssessmentCreateInput,
    AssessmentOutput,
    BulkAnswerInput,
    EvidenceInput,
    EvidenceOutput,
    HistoryOutput,
    PinOutput,
    ReasonInput,
    RevisionInput,
    Scoping,
    ScopingInput,
    UpgradeInput,
)
