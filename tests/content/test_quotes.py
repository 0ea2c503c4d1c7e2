"""Verified quotations (alliance.quotes)."""
from __future__ import annotations

import pytest

from alliance import q, quote
from alliance.errors import QuotationError, SourceError


def test_block_quote_renders_attribution_and_link():
    html = quote("su2017", "the unshakable US-Japan alliance is the cornerstone")._repr_html_()
    assert "<blockquote" in html and "Su Xiaohui" in html and "CGTN" in html and "2017-02-11" in html
    assert 'href="../appendix/sources/su2017.html#su2017-p4"' in html and "¶4" in html


def test_received_date_is_labelled():
    text = quote("yuan2018", "wing of hegemony").citation
    assert text == "Yuan Zheng, CAIFC journal (Master forum), 2018-05-15 (received), ¶4"


def test_whitespace_may_differ():
    assert quote("jpress2017", "In addition to increasing the contribution to the cost of U.S. Forces Japan").para == 4
    assert quote("su2017", "the unshakable\n   US-Japan alliance").para == 4


def test_ellipsis_joins_verbatim_pieces_in_order():
    assert quote("miller2018", "Abe was blindsided, however, … Trump’s summit meeting with North Korean leader").para == 6
    with pytest.raises(QuotationError):
        quote("miller2018", "Trump’s summit meeting with North Korean leader … Abe was blindsided")


def test_not_verbatim_names_source_and_shows_closest_passage():
    with pytest.raises(QuotationError) as err:
        quote("su2017", "the unshakeable US-Japan alliance is the cornerstone")
    message = str(err.value)
    assert "'su2017' (000_ddd02bc2ac0417d8.txt)" in message
    assert "Closest passage (¶4" in message and "unshakable US-Japan alliance" in message


def test_wrong_source_points_to_the_right_one():
    with pytest.raises(QuotationError, match=r"It is verbatim in 'yuan2018' ¶2: cite that source instead"):
        quote("ling2018", "the first visit made by a Chinese premier to Japan in 8 years")


def test_pinned_paragraph_is_checked():
    assert quote("su2017", "America First", para=7).para == 7
    with pytest.raises(QuotationError, match=r"¶3"):
        quote("su2017", "America First", para=3)
    with pytest.raises(SourceError, match=r"no ¶40"):
        quote("su2017", "America First", para=40)


def test_furniture_is_not_quotable():
    with pytest.raises(QuotationError, match="page furniture"):
        quote("yuan2018", "Login Set as Homepage Contact us")


def test_unknown_source():
    with pytest.raises(SourceError, match="Unknown source id 'cgtn'"):
        quote("cgtn", "anything")


def test_inline_quote_and_escaping():
    inline = q("su2017", "America First")
    assert inline._repr_html_().startswith('<span class="alliance-quote-inline"')
    assert "“America First”" in str(inline)
    assert "<script>" not in quote("su2017", "SCC: “2+2”")._repr_html_()


def test_empty_quotation_fails():
    with pytest.raises(QuotationError, match="Empty quotation"):
        quote("su2017", " … ")
