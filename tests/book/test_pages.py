"""Generated pages: the source reader and the glossary (alliance.book.pages)."""
from __future__ import annotations

import hashlib

import pandas as pd

from alliance.corpus import build_corpus
from alliance.book.pages import glossary_page, reader_page


def test_reader_page_numbers_every_paragraph_and_labels_furniture():
    from alliance import load_corpus

    corpus = load_corpus()
    page = reader_page(corpus, "yuan2018")
    n = int(corpus.paragraphs[corpus.paragraphs["source_id"] == "yuan2018"]["para"].max())
    for para in range(1, n + 1):
        assert f'id="yuan2018-p{para}"' in page and f'href="#yuan2018-p{para}">¶{para}</a>' in page
    assert page.count('class="alliance-furniture"') == 4
    assert "Page furniture: breadcrumb trail" in page
    assert "a3890122156204c583b619e4fab065f0728a007a93f9f7f32fb64d144a460e6b" in page
    assert "\n\n" not in page.split('<div class="alliance-reader">')[1], "a blank line would end the HTML block"


def test_seed_with_html_is_shown_as_text(corpus_copy):
    path = corpus_copy["seeds"] / "005_hostile.txt"
    path.write_text("Hostile <b>title</b>\n\n<script>alert('x')</script> & more\n", encoding="utf-8")
    table = pd.read_csv(corpus_copy["metadata"], dtype=str, keep_default_na=False)
    row = table.iloc[0].copy()
    row["source_id"], row["file_name"] = "hostile", path.name
    row["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    pd.concat([table, row.to_frame().T]).to_csv(corpus_copy["metadata"], index=False)
    corpus = build_corpus(corpus_copy["metadata"], corpus_copy["seeds"], corpus_copy["rules"])
    page = reader_page(corpus, "hostile")
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; more" in page
    assert "&lt;b&gt;title&lt;/b&gt;" in page


def test_glossary_is_sorted_and_complete():
    page = glossary_page()
    from alliance.paths import DATA_DIR

    table = pd.read_csv(DATA_DIR / "glossary.csv")
    assert table["term"].is_unique
    positions = [page.index(f"\n{term}\n") for term in sorted(table["term"], key=str.lower)]
    assert positions == sorted(positions)


def test_reader_card_keeps_file_name_and_sha256_under_technical_details():
    from alliance import load_corpus

    page = reader_page(load_corpus(), "su2017")
    card, technical = page.split('<details class="alliance-technical"><summary>Technical details</summary>')
    assert "000_ddd02bc2ac0417d8.txt" not in card and "4bfa7723" not in card and "Seed" not in card
    technical = technical.split("</details>")[0]
    assert "000_ddd02bc2ac0417d8.txt" in technical
    assert "4bfa772394dafe9245b0e7d3edb955c959f1c2f5809e66cac96fb69eb44e8796" in technical


def test_glossary_cites_a_whole_source_by_its_reader_page_and_series_in_words():
    from alliance.book.pages import evidence_markup

    markup = evidence_markup("data:seeds/000_ddd02bc2ac0417d8.txt; ref:context-figures:china_japan_trade_total:2011")
    assert "{ref}`Su, whole page <su2017>`" in markup and "000_" not in markup
    assert "China-Japan trade total, 2011: 344.9 US$ bn" in markup and "china_japan" not in markup


def test_glossary_cites_a_background_row_by_its_short_named_link():
    from alliance.book.pages import evidence_markup

    markup = evidence_markup("yuan2018:6; ref:context-background:constitution-article-9; ref:context-institutions:JIIA-2")
    assert markup == "({para}`yuan2018:6`; {bg}`constitution-article-9`; {inst}`JIIA-2`)"


def test_reader_card_says_who_is_speaking_with_the_same_fields_for_every_source():
    """Every card: each institution the text names, what it says of itself and what a third party
    says, each with its reference row as a short named link, or "No page found" (issue 18)."""
    import re

    from alliance import load_corpus
    from alliance.background import institution_row

    corpus = load_corpus()
    for source_id in corpus.source_ids:
        page = reader_page(corpus, source_id)
        who = page.split("## Who is speaking")[1].split("## Text")[0]
        cards = re.findall(r'<dl class="alliance-card alliance-who">(.*?)</dl>', who)
        assert cards, source_id
        for card in cards:
            assert re.findall(r"<dt>([^<]*)</dt>", card) == [
                "Institution", "Named as", "What the text states", "What it says of itself", "What a third party says"]
    su = reader_page(corpus, "su2017")
    assert institution_row("CIIS-1").html() in su and institution_row("CGTN-3").html() in su
    assert "Variety, self-description (quoted in a press report)" in su
    miller = reader_page(corpus, "miller2018")
    assert institution_row("JIIA-2").html() in miller and "WikiMili, encyclopedia (mirror of Wikipedia)" in miller
    assert miller.count("No page found.") == 2  # the Asian Forum Japan: neither its own page nor a third party's
    assert reader_page(corpus, "jpress2017").count("No page found.") == 2
    assert "Not named in the text" in reader_page(corpus, "jpress2017")
    assert "No page found" not in su and "No page found" not in reader_page(corpus, "yuan2018")
