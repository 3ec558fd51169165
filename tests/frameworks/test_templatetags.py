"""Labels printed for enforcement, confidence and citations: translated, never raw codes."""

from django.utils import translation

from frameworks.models import Provision
from frameworks.templatetags.frameworks_tags import (
    confidence_label,
    enforcement_label,
    provision_ref,
)


def test_confidence_is_a_translated_label_never_the_raw_value():
    with translation.override("ja"):
        assert confidence_label("verified_primary") == "一次資料で確認"
    with translation.override("en"):
        assert confidence_label("verified_primary") == "Checked against the primary source"
        assert confidence_label("unverified") == "Not verified"


def test_enforcement_label_names_the_articles_in_the_page_language():
    provision = Provision(enforcement="regulator_order", enforcement_articles=["148", "178"])
    with translation.override("ja"):
        assert (
            enforcement_label(provision)
            == "規制当局による勧告・命令（命令違反に罰則）（第148条、第178条）"
        )
    with translation.override("en"):
        assert enforcement_label(provision).endswith("(Art. 148, Art. 178)")
    assert enforcement_label(Provision(enforcement="")) == ""


def test_japanese_pages_cite_第17条():
    provision = Provision(ref="Art. 17", ref_ja="第17条")
    with translation.override("ja"):
        assert provision_ref(provision) == "第17条"
    with translation.override("en"):
        assert provision_ref(provision) == "Art. 17"
