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


# --- Art. 148: which provisions a PPC recommendation or order can reach (issue 10, point 6) ---

_KANJI = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _kanji_number(text: str) -> int:
    """``百四十八`` → 148, ``十八`` → 18, ``二十九`` → 29 (numbers as e-Gov writes article numbers)."""
    total, digit = 0, 0
    for char in text:
        if char in _KANJI:
            digit = _KANJI[char]
        else:
            total += (digit or 1) * {"十": 10, "百": 100}[char]
            digit = 0
    return total + digit


def _articles_named_in_148_1() -> set[int]:
    """Articles whose breach 148(1) names, read from the official XML.

    Parenthesised reading rules (「第四十一条第四項の規定により読み替えて…」) are dropped first: they
    say how a named article applies, not which articles are named. ``第X条から第Y条まで`` is a range.
    """
    paragraph = articles_of("415AC0000000057")["148"].find("Paragraph")
    text = _squash("".join(paragraph.itertext()))
    while re.search(r"（[^（）]*）", text):
        text = re.sub(r"（[^（）]*）", "", text)
    named: set[int] = set()
    number = "[一二三四五六七八九十百]+"
    for start, end in re.findall(rf"第({number})条から第({number})条まで", text):
        named.update(range(_kanji_number(start), _kanji_number(end) + 1))
    text = re.sub(rf"第{number}条から第{number}条まで", "", text)
    named.update(_kanji_number(n) for n in re.findall(rf"第({number})条", text))
    return named


def test_art_148_1_names_the_articles_the_factsheet_lists():
    # Factsheet ENF-148-1 / ENF-148-X (VP): 17, 22, 36, 37, 39, 40 and 46 are outside it.
    named = _articles_named_in_148_1()
    assert {18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 38} <= named
    assert named.isdisjoint({17, 22, 36, 37, 39, 40, 46})


def test_catalog_marks_regulator_order_exactly_where_art_148_1_reaches():
    """Every APPI statute provision of the newest version states its enforcement, and it is
    ``regulator_order`` exactly when Art. 148(1) names every article it cites."""
    named = {str(n) for n in _articles_named_in_148_1()}
    appi = parse_framework_file(Path(settings.FRAMEWORK_CATALOG_DIR) / "appi-20260717.yaml")
    checked = 0
    for where, provision in iter_provisions(appi):
        if not provision.statute or provision.urn.endswith(":enforcement"):
            continue
        cited = {a.number for a in provision.statute.articles}
        assert provision.enforcement is not None, where
        reached = cited <= named
        assert (provision.enforcement.kind == "regulator_order") == reached, (where, cited)
        if reached:
            assert (
                "148" in provision.enforcement.articles and "178" in provision.enforcement.articles
            )
        else:
            assert provision.enforcement.kind == "none", where
        checked += 1
    assert checked >= 25
    regulator = {
        a.number
        for _w, p in iter_provisions(appi)
        if p.statute and p.enforcement and p.enforcement.kind == "regulator_order"
        for a in p.statute.articles
    }
    assert regulator <= named and {"17", "22", "40", "46"}.isdisjoint(regulator)
