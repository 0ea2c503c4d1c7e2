"""The helpers that keep the chapters' cells short, and the limits on a shown cell's length and width."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from alliance import load_corpus, q
from alliance.charts import (OKABE_ITO, bubble_chart, checked_line_with_claims, checked_points_with_claim_lines,
                             grouped_bars, heat_map, labelled_scatter, line_segments, ranked_bars, stacked_bars)
from alliance.compare import comparison_table, own_words, paragraph_list
from alliance.describe import checked_figures, describe_top_groups, join_names, leaders, paragraph_name
from alliance.tables import reading_table
from alliance.text import figure_as_written, load_lexicon, theme_mentions
from tests._root import REPO_ROOT

CHAPTERS = REPO_ROOT / "chapters"
MAX_SHOWN_LINES = 12   # the issue: "at most about ten lines"; a wrapped chart call may need two more
MAX_SHOWN_WIDTH = 100
CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


@dataclass(frozen=True)
class ShownCell:
    """A code cell a reader sees (directly or behind "Show code"): where it starts, how long it is, and the
    page's line number and width of each of its code lines."""

    line: int
    lines: int
    widths: tuple[tuple[int, int], ...] = ()


def shown_cells(text: str) -> list[ShownCell]:
    """The code cells of a MyST notebook whose tags neither remove the input nor the cell, with their
    number of code lines (option lines, a ``---`` options block and blank lines at either end not counted)."""
    cells = []
    for found in CELL.finditer(text):
        start = text[:found.start()].count("\n") + 1
        numbered = list(enumerate(found.group(1).split("\n"), start=start + 1))
        if numbered and numbered[0][1] == "---" and any(line == "---" for _, line in numbered[1:]):
            block_end = next(i for i, (_, line) in enumerate(numbered) if i > 0 and line == "---")
            option_lines, numbered = numbered[1:block_end], numbered[block_end + 1:]
        else:
            option_lines = [(number, line) for number, line in numbered if line.startswith(":")]
            numbered = [(number, line) for number, line in numbered if not line.startswith(":")]
        options = " ".join(line for _, line in option_lines)
        code = numbered
        while code and not code[-1][1].strip():
            code.pop()
        while code and not code[0][1].strip():
            code.pop(0)
        if "remove-input" not in options and "remove-cell" not in options:
            cells.append(ShownCell(start, len(code), tuple((number, len(line)) for number, line in code)))
    return cells


def too_long(text: str, limit: int = MAX_SHOWN_LINES) -> list[ShownCell]:
    """The shown cells of ``text`` longer than ``limit`` lines."""
    return [cell for cell in shown_cells(text) if cell.lines > limit]


def too_wide(text: str, limit: int = MAX_SHOWN_WIDTH) -> list[tuple[int, int]]:
    """The lines of the shown cells of ``text`` wider than ``limit`` characters: (line number on the page, width)."""
    return [(number, width) for cell in shown_cells(text) for number, width in cell.widths if width > limit]


def test_no_shown_chapter_cell_runs_past_the_line_limit() -> None:
    chapters = sorted(CHAPTERS.glob("*.md"))
    assert len(chapters) >= 7
    long_cells = {path.name: too_long(path.read_text(encoding="utf-8")) for path in chapters}
    assert {name: cells for name, cells in long_cells.items() if cells} == {}


def test_the_limit_finds_a_long_shown_cell_and_ignores_removed_ones() -> None:
    body = "\n".join(f"x{i} = {i}" for i in range(MAX_SHOWN_LINES + 1))
    page = (f"# Title\n\n```{{code-cell}} ipython3\n:tags: [hide-input]\n{body}\n```\n\n"
            f"```{{code-cell}} ipython3\n:tags: [remove-cell]\n{body}\n```\n\n"
            f"```{{code-cell}} ipython3\n:tags: [remove-input]\n{body}\n```\n\n"
            "```{code-cell} ipython3\nshort = 1\n```\n")
    assert MAX_SHOWN_LINES <= 12                      # the issue: "at most about ten lines"
    assert [cell.lines for cell in shown_cells(page)] == [MAX_SHOWN_LINES + 1, 1]
    assert [(cell.line, cell.lines) for cell in too_long(page)] == [(3, MAX_SHOWN_LINES + 1)]
    assert too_long(page, limit=MAX_SHOWN_LINES + 1) == []


def test_no_shown_chapter_line_runs_past_the_width_limit() -> None:
    chapters = sorted(CHAPTERS.glob("*.md"))
    assert len(chapters) >= 7
    wide_lines = {path.name: too_wide(path.read_text(encoding="utf-8")) for path in chapters}
    assert {name: lines for name, lines in wide_lines.items() if lines} == {}


def test_the_width_limit_finds_a_wide_shown_line_and_ignores_removed_cells() -> None:
    wide = "x = " + "1 + " * 30 + "1"                      # 125 characters
    edge = "y = " + "2" * (MAX_SHOWN_WIDTH - 4)             # exactly at the limit: allowed
    page = (f"# Title\n\n```{{code-cell}} ipython3\n:tags: [hide-input]\nshort = 1\n{wide}\n{edge}\n```\n\n"
            f"```{{code-cell}} ipython3\n:tags: [remove-cell]\n{wide}\n```\n\n"
            f"```{{code-cell}} ipython3\n---\ntags: [remove-input]\n---\n{wide}\n```\n\n"
            f"```{{code-cell}} ipython3\n{wide}\n```\n")
    assert len(wide) == 125 and len(edge) == MAX_SHOWN_WIDTH
    assert too_wide(page) == [(6, 125), (23, 125)]
    assert too_wide(page, limit=130) == []


def test_join_names_joins_as_the_chapters_write() -> None:
    assert join_names(["yuan2018"]) == "Yuan"
    assert join_names(["su2017", "yuan2018"]) == "Su and Yuan"
    assert join_names(["su2017", "yuan2018", "miller2018"]) == "Su, Yuan and Miller"
    # a name holding "and" keeps the list readable, unless asked for a plain "and"
    assert join_names(["su2017", "yuan2018", "ling2018"]) == "Su, Yuan, and Ling and Liu"
    assert join_names(["su2017", "yuan2018", "ling2018"], plain_and=True) == "Su, Yuan and Ling and Liu"
    assert join_names(["miller2018", "su2017"], order=load_corpus().source_ids) == "Su and Miller"
    assert join_names(["jpress2017", "su2017"]) == "Japanese press report and Su"
    assert join_names(["jpress2017"], article=True) == "the Japanese press report"
    assert join_names(["su2017"], article=True) == "Su"
    with pytest.raises(ValueError):
        join_names([])


def test_figure_as_written_keeps_the_sources_more_than() -> None:
    assert figure_as_written("340 billion", "peaked at more than US$ 340 billion in 2011") == "more than 340 billion"
    assert figure_as_written("150 billion", "invest more than 150 billion US dollars") == "more than 150 billion"
    assert figure_as_written("68.85", "the deficit was US$ 68.85 billion") == "68.85"
    assert figure_as_written("270 billion", "more than ever, trade remained at US$ 270 billion") == "270 billion"


def test_checked_figures_lists_the_years_asked_for() -> None:
    figures = pd.DataFrame({"series_name": ["JETRO", "MOFCOM", "JETRO"], "year": [2016, 2016, 2017],
                            "value_usd_billion": [270.0, 275.5, 297.2]})
    assert checked_figures(figures, "2016", "series_name") == "Checked figures: JETRO 2016: US$ 270 billion; MOFCOM 2016: US$ 275.5 billion"
    assert checked_figures(figures, "2017;2015", "series_name") == "Checked figures: JETRO 2017: US$ 297.2 billion"


def test_describe_top_groups_names_each_sources_leading_groups_and_ties() -> None:
    rates = pd.DataFrame({"source_id": ["su2017", "su2017", "jpress2017", "jpress2017"],
                          "group": ["trade", "history", "history", "trade"], "per_1000": [1.254, 0.5, 0.5, 0.5]})
    top = leaders(rates, "source_id", "per_1000", by="group").set_index("source_id").loc[["jpress2017", "su2017"]]
    assert describe_top_groups(top, "group", "per_1000", order=["trade", "history"]) == (
        "the Japanese press report, trade and history (tied, 0.50); Su, trade (1.25)")
    assert describe_top_groups(top, "group", "per_1000", order=["history", "trade"], digits=1) == (
        "the Japanese press report, history and trade (tied, 0.5); Su, trade (1.3)")


def test_paragraph_name_uses_the_source_name() -> None:
    assert paragraph_name("ling2018 ¶17") == "Ling and Liu ¶17"


def test_comparison_table_has_one_row_per_source_in_order() -> None:
    order = ["jpress2017", "su2017", "yuan2018"]
    paras = pd.DataFrame({"source_id": ["yuan2018", "yuan2018", "su2017"], "para": [3, 9, 4]})
    quoted = {"su2017": q("su2017", "However, the US-Japan alliance still faces uncertainties.")}
    table = comparison_table({"Count": pd.Series({"su2017": 2, "yuan2018": 5, "jpress2017": 0}),
                              "Paragraphs": paragraph_list(paras), "In its own words": own_words(quoted)}, order)
    assert list(table.index) == order and table.index.name == "source_id"
    assert list(table.columns) == ["Count", "Paragraphs", "In its own words"]
    assert list(table["Count"]) == [0, 2, 5]
    assert list(table["Paragraphs"]) == ["none", "¶4", "¶3, ¶9"]
    para = quoted["su2017"].para
    assert table.at["su2017", "In its own words"] == f"“However, the US-Japan alliance still faces uncertainties.” (¶{para})"
    shown = reading_table(table).frame
    assert list(shown["Source"]) == ["Japanese press report", "Su", "Yuan"]   # ids read as names
    with pytest.raises(KeyError):
        comparison_table({"Count": {"miller2018": 1}}, order)


def test_comparison_table_fills_missing_values_as_told() -> None:
    table = comparison_table({"Rate": {"su2017": 1.5}}, ["su2017", "yuan2018"], missing="(not mentioned)",
                             index_name="Source")
    assert table.index.name == "Source" and list(table["Rate"]) == [1.5, "(not mentioned)"]


def test_grouped_bars_encodes_category_group_and_value() -> None:
    data = pd.DataFrame({"term": ["a", "a", "b"], "source_id": ["su2017", "yuan2018", "su2017"],
                         "per_1000": [1.0, 2.0, 0.5]})
    spec = grouped_bars(data, "term", "per_1000", "source_id", title="T", category_title="Term",
                        value_title="Per 1,000", group_title="Source", sort=["b", "a"], height=300).to_dict()
    encoding = spec["encoding"]
    assert spec["mark"]["type"] == "bar" and spec["height"] == 300 and spec["title"] == "T"
    assert encoding["y"] == {"field": "term", "type": "nominal", "title": "Term", "sort": ["b", "a"]}
    assert encoding["yOffset"] == {"field": "source_id", "type": "nominal"}
    assert encoding["x"] == {"field": "per_1000", "type": "quantitative", "title": "Per 1,000"}
    assert encoding["color"] == {"field": "source_id", "type": "nominal", "title": "Source"}
    assert [tip["field"] for tip in encoding["tooltip"]] == ["term", "source_id", "per_1000"]
    vertical = grouped_bars(data, "term", "per_1000", "source_id", title="T", category_title="Term",
                            value_title="Per 1,000", group_title="Source", vertical=True).to_dict()
    assert vertical["encoding"]["x"]["field"] == "term" and "xOffset" in vertical["encoding"]
    assert vertical["encoding"]["y"]["field"] == "per_1000" and "height" not in vertical
    by_source = grouped_bars(data, "source_id", "per_1000", "term", title="T", value_title="Per 1,000",
                             group_title="Term").to_dict()   # the categories' title: "Source" unless told
    assert by_source["encoding"]["y"] == {"field": "source_id", "type": "nominal", "title": "Source"}


def test_ranked_bars_sorts_longest_first_and_colours_when_asked() -> None:
    data = pd.DataFrame({"source_id": ["su2017", "yuan2018"], "words": [10, 20], "genre": ["op-ed", "article"]})
    plain = ranked_bars(data, "words", title="T", value_title="Words").to_dict()["encoding"]
    assert plain["y"] == {"field": "source_id", "type": "nominal", "title": "Source", "sort": "-x"}
    assert plain["x"] == {"field": "words", "type": "quantitative", "title": "Words"}
    assert "color" not in plain and "tooltip" not in plain
    coloured = ranked_bars(data, "words", title="T", value_title="Words", colour="genre", colour_title="Genre",
                           sort=None, tooltip=["source_id", "words"]).to_dict()["encoding"]
    assert coloured["color"] == {"field": "genre", "type": "nominal", "title": "Genre"}
    assert "sort" not in coloured["y"] and [t["field"] for t in coloured["tooltip"]] == ["source_id", "words"]


def test_line_segments_break_at_a_missing_year() -> None:
    table = pd.DataFrame({"label": ["A"] * 4, "year": [2017, 2014, 2016, 2019], "value": [1, 2, 3, 4]})
    runs = line_segments(table, "label")
    assert list(runs["year"]) == [2014, 2016, 2017, 2019]
    assert list(runs["segment"]) == ["A run 1", "A run 2", "A run 2", "A run 3"]


def test_theme_mentions_counts_each_theme_per_paragraph() -> None:
    corpus = load_corpus()
    paragraphs = corpus.paragraphs[(corpus.paragraphs["source_id"] == "yuan2018") & (corpus.paragraphs["para"] == 10)]
    lexicon = load_lexicon("ch4-indo-pacific-themes")
    found = theme_mentions(paragraphs, lexicon)
    assert list(found.columns) == ["paragraph", "source_id", "theme", "count"]
    assert set(found["paragraph"]) == {"yuan2018 ¶10"} and (found["count"] > 0).all()
    text = paragraphs["text_normalized"].iloc[0]
    for row in found.itertuples():
        pattern = lexicon.set_index("term").at[row.theme, "pattern"]
        assert row.count == len(re.findall(pattern, text, flags=re.IGNORECASE))
    assert theme_mentions(paragraphs.iloc[0:0], lexicon).empty


RATES = pd.DataFrame({"source_id": ["su2017", "su2017", "yuan2018"], "term": ["a", "b", "a"],
                      "count": [1, 3, 2], "per_1000": [0.5, 14.0, 1.0]})


def test_heat_map_shades_rectangles_by_value() -> None:
    spec = heat_map(RATES, "source_id", "term", "per_1000", title="T", column_title="Source", row_title="Term",
                    value_title="Per 1,000", row_sort=["b", "a"], tooltip=["source_id", "count"], width=300).to_dict()
    assert spec["mark"]["type"] == "rect" and spec["width"] == 300 and spec["title"] == "T"
    assert "layer" not in spec and "height" not in spec
    encoding = spec["encoding"]
    assert encoding["x"] == {"field": "source_id", "type": "nominal", "title": "Source"}
    assert encoding["y"] == {"field": "term", "type": "nominal", "title": "Term", "sort": ["b", "a"]}
    assert encoding["color"] == {"field": "per_1000", "type": "quantitative", "title": "Per 1,000"}
    assert [tip["field"] for tip in encoding["tooltip"]] == ["source_id", "count"]


def test_heat_map_prints_values_in_white_on_dark_cells() -> None:
    spec = heat_map(RATES, "source_id", "term", "per_1000", title="T", column_title="Source", row_title="Term",
                    value_title="Per 1,000", colour_range=["#ffffff", OKABE_ITO[0]], value_format=".2f",
                    white_text_above=12, width=420, height=280).to_dict()
    cells, text = spec["layer"]
    assert (spec["width"], spec["height"]) == (420, 280)
    assert cells["mark"]["type"] == "rect" and text["mark"] == {"type": "text", "fontSize": 12}
    assert cells["encoding"]["color"]["scale"] == {"range": ["#ffffff", OKABE_ITO[0]]}
    assert text["encoding"]["text"] == {"field": "per_1000", "type": "quantitative", "format": ".2f"}
    assert text["encoding"]["color"] == {"condition": {"test": "datum.per_1000 > 12", "value": "#ffffff"},
                                         "value": "#000000"}
    with pytest.raises(ValueError):
        heat_map(RATES, "source_id", "term", "per_1000", title="T", column_title="Source", row_title="Term",
                 value_title="Per 1,000", value_format=".2f")
    with pytest.raises(KeyError):
        heat_map(RATES, "source_id", "theme", "per_1000", title="T", column_title="Source", row_title="Theme",
                 value_title="Per 1,000")


def test_bubble_chart_sizes_and_colours_circles() -> None:
    spec = bubble_chart(RATES, "term:N", "source_id:N", "count", "source_id", title="T", x_title="Term",
                        y_title="Source", size_title="Occurrences", colour_title="Source", x_sort=["b", "a"],
                        y_domain=["yuan2018", "su2017", "miller2018"], size_range=[60, 600], opacity=0.85,
                        tooltip=["term", "count"], width=440, height=220).to_dict()
    encoding = spec["encoding"]
    assert spec["mark"] == {"type": "circle", "opacity": 0.85} and (spec["width"], spec["height"]) == (440, 220)
    assert encoding["x"] == {"field": "term", "type": "nominal", "title": "Term", "sort": ["b", "a"]}
    assert encoding["y"]["scale"] == {"domain": ["yuan2018", "su2017", "miller2018"]}   # a row with no circle kept
    assert encoding["size"] == {"field": "count", "type": "quantitative", "title": "Occurrences",
                                "scale": {"range": [60, 600]}}
    assert encoding["color"] == {"field": "source_id", "type": "nominal", "title": "Source"}
    plain = bubble_chart(RATES, "count:Q", "source_id:N", "count", "term", title="T", x_title="Count",
                         y_title="Source", size_title="Count", colour_title="Term").to_dict()
    assert plain["encoding"]["x"]["type"] == "quantitative" and "width" not in plain and "tooltip" not in plain["encoding"]
    with pytest.raises(ValueError):      # a field without its type
        bubble_chart(RATES, "term", "source_id:N", "count", "term", title="T", x_title="Term", y_title="Source",
                     size_title="Count", colour_title="Term")
    with pytest.raises(KeyError):
        bubble_chart(RATES, "para:Q", "source_id:N", "count", "term", title="T", x_title="¶", y_title="Source",
                     size_title="Count", colour_title="Term")


def test_labelled_scatter_labels_each_point() -> None:
    docs = pd.DataFrame({"source_id": ["su2017", "yuan2018"], "date_start": ["2017-02-14", "2018-05-15"],
                         "words": [900, 5000], "outlet_country": ["China", "China"], "genre": ["op-ed", "article"]})
    spec = labelled_scatter(docs, "date_start:T", "words:Q", "source_id", title="T", x_title="Date",
                            y_title="Words", colour="outlet_country", colour_title="Country", shape="genre",
                            shape_title="Genre", tooltip=["source_id", "words"]).to_dict()
    points, labels = spec["layer"]
    assert points["mark"] == {"type": "circle", "size": 160} and points["title"] == "T"
    assert points["encoding"]["shape"] == {"field": "genre", "type": "nominal", "title": "Genre"}
    assert points["encoding"]["color"]["field"] == "outlet_country"
    assert labels["mark"] == {"type": "text", "align": "left", "dx": 10, "fontSize": 11}
    assert labels["encoding"]["text"] == {"field": "source_id", "type": "nominal"}
    assert labels["encoding"]["x"] == points["encoding"]["x"] == {"field": "date_start", "type": "temporal",
                                                                  "title": "Date"}
    with pytest.raises(KeyError):
        labelled_scatter(docs, "date_start:T", "words:Q", "source_id", title="T", x_title="Date", y_title="Words",
                         colour="outlet", colour_title="Outlet", shape="genre", shape_title="Genre")


CHECKED = line_segments(pd.DataFrame({"label": ["Checked: A"] * 3, "year": [2014, 2016, 2017],
                                      "deficit": [67.0, 68.9, 68.85], "basis": ["A"] * 3}), "label")
CLAIMED = pd.DataFrame({"year": [2017], "deficit": [68.85], "label": ["Cited by yuan2018 ¶16"],
                        "basis": ["as the source states it"]})


def test_checked_line_with_claims_layers_line_points_and_diamonds() -> None:
    spec = checked_line_with_claims(CHECKED, CLAIMED, "deficit", "label", title="T", value_title="Deficit",
                                    series_title="Series", years=(2013, 2020), year_tick_step=1,
                                    tooltip=["year:Q", "deficit:Q"]).to_dict()
    line, points, claims = spec["layer"]
    assert spec["title"] == "T"
    assert line["mark"]["type"] == "line" and line["encoding"]["detail"] == {"field": "segment", "type": "nominal"}
    assert points["mark"] == {"type": "point", "filled": True, "size": 90}
    assert claims["mark"] == {"type": "point", "size": 380, "strokeWidth": 2, "shape": "diamond"}
    assert line["encoding"]["x"] == {"field": "year", "type": "quantitative", "title": "Year",
                                     "scale": {"domain": [2013, 2020]}, "axis": {"format": "d", "tickMinStep": 1}}
    assert claims["encoding"]["color"] == {"field": "label", "type": "nominal", "title": "Series",
                                           "legend": {"labelLimit": 0}}
    assert "tooltip" not in line["encoding"] and [t["field"] for t in claims["encoding"]["tooltip"]] == ["year", "deficit"]
    with pytest.raises(KeyError):     # checked figures without their runs of years
        checked_line_with_claims(CHECKED.drop(columns="segment"), CLAIMED, "deficit", "label", title="T",
                                 value_title="Deficit", series_title="Series", years=(2013, 2020))


def test_checked_points_with_claim_lines_draws_each_claim_as_a_labelled_line() -> None:
    trade = pd.DataFrame({"year": [2011, 2017], "value_usd_billion": [344.9, 303.0], "basis_label": ["JETRO", "MOFCOM"]})
    claims = pd.DataFrame({"value_usd_billion": [340.0, 270.0], "label": ["peak", "recent"]})
    spec = checked_points_with_claim_lines(trade, claims, "value_usd_billion", "basis_label", title="T",
                                           value_title="US$ bn", series_title="Basis", years=(2010, 2018),
                                           value_domain=[250, 360]).to_dict()
    points, rules, labels = spec["layer"]
    assert points["title"] == "T" and points["mark"] == {"type": "point", "filled": True, "size": 90}
    assert points["encoding"]["x"]["axis"] == {"format": "d"} and points["encoding"]["x"]["scale"] == {"domain": [2010, 2018]}
    assert points["encoding"]["y"]["scale"] == {"domain": [250, 360]}
    assert points["encoding"]["shape"] == points["encoding"]["color"] == {"field": "basis_label", "type": "nominal",
                                                                          "title": "Basis"}
    assert rules["mark"] == {"type": "rule", "strokeDash": [6, 4], "color": "#555"} and "x" not in rules["encoding"]
    assert labels["encoding"]["text"] == {"field": "label", "type": "nominal"}
    with pytest.raises(KeyError):     # a claim needs its label
        checked_points_with_claim_lines(trade, claims.drop(columns="label"), "value_usd_billion", "basis_label",
                                        title="T", value_title="US$ bn", series_title="Basis", years=(2010, 2018),
                                        value_domain=[250, 360])


def test_ranked_bars_sets_the_colour_legend_when_asked() -> None:
    data = pd.DataFrame({"source_id": ["su2017", "yuan2018"], "figures": [1, 6], "checkable": ["no", "yes"]})
    encoding = ranked_bars(data, "figures", title="T", value_title="Figures", colour="checkable", colour_title="Check",
                           colour_legend=alt.Legend(labelLimit=0)).to_dict()["encoding"]
    assert encoding["color"] == {"field": "checkable", "type": "nominal", "title": "Check", "legend": {"labelLimit": 0}}


def test_stacked_bars_cut_each_source_bar_into_coloured_pieces() -> None:
    data = pd.DataFrame({"source_id": ["su2017", "su2017", "yuan2018"], "per_1000": [1.0, 2.0, 4.0],
                         "group": ["trade", "money", "trade"]})
    encoding = stacked_bars(data, "per_1000", "group", title="T", value_title="Per 1,000 words",
                            stack_title="Term group").to_dict()["encoding"]
    assert encoding["color"] == {"field": "group", "type": "nominal", "title": "Term group"}
    assert encoding["y"] == {"field": "source_id", "type": "nominal", "title": "Source", "sort": "-x"}
    assert encoding["x"]["field"] == "per_1000"
    with pytest.raises(KeyError):
        stacked_bars(data, "per_1000", "kind", title="T", value_title="V", stack_title="S")
