"""Every statute provision in the catalog cites real articles: number, caption and quoted text
are checked against the official e-Gov XML (copied from ../shared/legal/sources into tests/data/legal)."""

import re
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings

from frameworks.document import ArticleRef, StatuteRef, iter_provisions
from frameworks.files import parse_framework_file

LEGAL = Path(__file__).parents[1] / "data" / "legal"
XML_BY_LAW_ID = {
    "507AC0000000053": LEGAL / "ai-promotion-act.ja.xml",
    "415AC0000000057": LEGAL / "appi.ja.xml",
}
CATALOG = sorted(Path(settings.FRAMEWORK_CATALOG_DIR).glob("*.yaml"))


@cache
def articles_of(law_id: str) -> dict[str, ET.Element]:
    """Article number ("26", "2-2", "suppl-2") → element, from the main provision and the original supplementary provisions."""
    root = ET.parse(XML_BY_LAW_ID[law_id]).getroot()
    found = {
        a.get("Num").replace("_", "-"): a for a in root.find(".//MainProvision").iter("Article")
    }
    for suppl in root.iter("SupplProvision"):
        if suppl.get("AmendLawNum") is None:  # the Act's own supplementary provisions
            found.update({f"suppl-{a.get('Num')}": a for a in suppl.iter("Article")})
    return found


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def statute_problems(statute: StatuteRef) -> list[str]:
    problems = []
    if statute.law_id not in XML_BY_LAW_ID:
        return [f"no official XML for law ID {statute.law_id}"]
    if not statute.revision.startswith(statute.law_id) and not statute.revision.isdigit():
        problems.append(f"revision {statute.revision!r} does not belong to {statute.law_id}")
    articles = articles_of(statute.law_id)
    for ref in statute.articles:
        element = articles.get(ref.number)
        if element is None:
            problems.append(f"Art. {ref.number} does not exist")
            continue
        caption = element.find("ArticleCaption")
        official = caption.text.strip("（）()") if caption is not None else None
        if official != ref.caption_ja:
            problems.append(
                f"Art. {ref.number}: caption {ref.caption_ja!r}, the XML says {official!r}"
            )
    if statute.text_ja:
        official_text = "".join(
            _squash("".join(articles[r.number].itertext()))
            for r in statute.articles
            if r.number in articles
        )
        for line in statute.text_ja.splitlines():
            line = re.sub(r"^[０-９0-9一二三四五六七八九十]+[\s　]+", "", line.strip())
            for fragment in filter(None, (_squash(f) for f in line.split("。"))):
                if fragment not in official_text:
                    problems.append(f"quoted text not in the official article: {fragment[:40]}…")
    return problems


def test_catalog_has_statute_files():
    assert any("appi" in p.name for p in CATALOG) and any(
        "ai-promotion-act" in p.name for p in CATALOG
    )


@pytest.mark.parametrize("path", CATALOG, ids=lambda p: p.name)
def test_statute_provisions_match_the_official_xml(path):
    document = parse_framework_file(path)
    problems = []
    for where, provision in iter_provisions(document):
        if provision.statute:
            problems += [
                f"{where} ({provision.ref}): {p}" for p in statute_problems(provision.statute)
            ]
    assert problems == []


def test_statute_provisions_of_statutes_all_cite_articles():
    for path in CATALOG:
        document = parse_framework_file(path)
        if document.legal_status != "statute":
            continue
        cited = [p for _w, p in iter_provisions(document) if p.statute]
        assert len(cited) >= 6, path.name


def test_checker_catches_a_wrong_caption_a_missing_article_and_invented_text():
    statute = StatuteRef(
        law_id="507AC0000000053",
        revision="507AC0000000053_20250901_000000000000000",
        articles=[
            ArticleRef(number="7", caption_ja="活用事業者の義務"),
            ArticleRef(number="99", caption_ja="罰則"),
        ],
        text_ja="活用事業者は、罰金に処する。",
    )
    problems = statute_problems(statute)
    assert any("Art. 7: caption" in p for p in problems)
    assert any("Art. 99 does not exist" in p for p in problems)
    assert any("quoted text not in the official article" in p for p in problems)


def test_checker_accepts_a_caption_less_article_and_the_supplementary_provisions():
    statute = StatuteRef(
        law_id="507AC0000000053",
        revision="507AC0000000053_20250901_000000000000000",
        articles=[ArticleRef(number="18"), ArticleRef(number="suppl-2", caption_ja="検討")],
    )
    assert statute_problems(statute) == []
