"""Reads of the framework registry."""

from .access import (  # noqa: F401
    access_framework_question,
    access_framework_version,
    access_provision,
    framework_version_visible_list,
    framework_versions_latest_published_by_urn,
    framework_visible_list,
    provision_list,
    question_list,
    section_list,
)
from .content import (  # noqa: F401
    framework_versions_latest_published,
    version_content_list,
)
from .diff import (  # noqa: F401
    WORD_DIFF_MIN_LENGTH,
    DiffItem,
    FieldChange,
    ItemDiff,
    VersionDiff,
    field_label,
    framework_version_diff,
    text_diff,
)
from .document import (  # noqa: F401
    document_content_hash,
    framework_version_document,
)
from .lists import (  # noqa: F401
    SectionNode,
    framework_list,
    framework_version_get,
    framework_version_latest_published,
    framework_version_list,
    framework_version_tree,
    provision_get,
)
