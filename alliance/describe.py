"""Sentences about computed data, written from the data frame they describe.

Chart descriptions and prose statements about counts, rates and rankings are generated here
(and inserted with ``glue``), so the text cannot drift from the chart. Sources are named by
their ``cite_as`` from ``data/sources.csv``; values are rounded as displayed.

>>> describe_leaders(counts, "term", "per_1000", unit="per 1,000 words")   # doctest: +SKIP
'Highest per 1,000 words: adjust, Ling and Liu (2.3); strengthen, Japanese press report (10.4).'
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import pandas as pd

from alliance.corpus import load_corpus
from alliance.text import count_word


def source_label(source_id: str) -> str:
    """How prose names a source: its ``cite_as`` (e.g. "Ling and Liu"), from the cached corpus."""
    corpus = load_corpus()
    return str(corpus.source(source_id)["cite_as"]) if source_id in corpus.source_ids else source_id


def paragraph_name(paragraph: str) -> str:
    """A paragraph label "yuan2018 ¶10" as prose names it: "Yuan ¶10"."""
    source_id, para = paragraph.split(" ")
    return f"{source_label(source_id)} {para}"


def _fmt(value: float, digits: int) -> str:
    if float(value).is_integer() and digits == 0:
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def join_names(ids: Iterable[str], order: Sequence[str] | None = None, article: bool = False,
               plain_and: bool = False) -> str:
    """Sources named as prose names them, joined: "Yuan", "Su and Yuan", "Su, Yuan and Miller".

    When a name itself holds "and" ("Ling and Liu"), the last name is joined with ", and" so the
    pair stays readable ("Su, and Ling and Liu"); ``plain_and=True`` always joins with " and ".
    ``order`` (e.g. ``corpus.source_ids``) puts the ids in that order, else they keep their own;
    ``article=True`` writes "the" before a name that is a description ("the Japanese press report").
    """
    ids = list(ids)
    if order is not None:
        ids = sorted(ids, key=list(order).index)
    if not ids:
        raise ValueError("join_names: no source to name.")
    labels = [("the " if article and _is_description(i) else "") + source_label(i) for i in ids]
    if len(labels) == 1:
        return labels[0]
    needs_comma = not plain_and and any(" and " in label for label in labels)
    return ", ".join(labels[:-1]) + (", and " if needs_comma else " and ") + labels[-1]


def _is_description(source_id: str) -> bool:
    """Whether a source's name describes it instead of naming its authors (an unsigned text)."""
    corpus = load_corpus()
    return source_id in corpus.source_ids and str(corpus.source(source_id)["authors"]) == "Unsigned"


def _names(ids: list[str]) -> str:
    return join_names(ids, plain_and=True)


def leaders(frame: pd.DataFrame, category: str, value: str, by: str = "source_id") -> pd.DataFrame:
    """For each ``category``, the ``by`` values (sources) with the highest ``value`` (ties kept).

    Categories whose highest value is 0 are dropped: nobody leads on a term nobody uses.
    """
    rows = []
    for cat, group in frame.groupby(category, sort=False):
        top = group[value].max()
        if top <= 0:
            continue
        rows.append({category: cat, by: sorted(group.loc[group[value] == top, by]), value: top})
    return pd.DataFrame(rows, columns=[category, by, value])


def describe_leaders(frame: pd.DataFrame, category: str, value: str, by: str = "source_id",
                     unit: str = "", digits: int = 1, only: list[str] | None = None) -> str:
    """"Highest <unit>: <category>, <source> (<value>); …" from the frame itself.

    ``only`` restricts the sentence to some categories (in the order given).
    """
    table = leaders(frame, category, value, by)
    if only is not None:
        table = table.set_index(category).reindex([c for c in only if c in set(table[category])]).reset_index()
    if table.empty:
        return f"No source has a value above 0{' ' + unit if unit else ''}."
    parts = [f"{row[category]}, {_names(row[by])} ({_fmt(row[value], digits)})" for _, row in table.iterrows()]
    return f"Highest{' ' + unit if unit else ''}: " + "; ".join(parts) + "."


def describe_ranking(frame: pd.DataFrame, value: str, by: str = "source_id", unit: str = "",
                     digits: int = 1, ascending: bool = False) -> str:
    """"From highest to lowest <unit>: A (x), B (y), …" (ties share a rank and are listed together)."""
    ordered = frame.sort_values([value, by], ascending=[ascending, True])
    direction = "lowest to highest" if ascending else "highest to lowest"
    parts = [f"{source_label(row[by])} ({_fmt(row[value], digits)})" for _, row in ordered.iterrows()]
    return f"From {direction}{' ' + unit if unit else ''}: " + ", ".join(parts) + "."


def describe_zeros(frame: pd.DataFrame, value: str, by: str = "source_id", what: str = "these terms") -> str:
    """Which sources have 0 for every row (e.g. use none of the terms), in the corpus's order and
    named as a sentence begins ("Su, the Japanese press report and Miller use none of …"), or that
    none does."""
    totals = frame.groupby(by)[value].sum()
    zero = list(totals[totals == 0].index)
    if not zero:
        return f"Every source uses at least one of {what}."
    order = load_corpus().source_ids
    names = join_names(zero, order=order if set(zero) <= set(order) else None, article=True, plain_and=True)
    return f"{names[:1].upper()}{names[1:]} use{'s' if len(zero) == 1 else ''} none of {what}."


def describe_only(frame: pd.DataFrame, category: str, value: str, by: str = "source_id") -> str:
    """Categories used by exactly one source: "Only Yuan: Cold War, constitution; only Su: …"."""
    used = frame[frame[value] > 0]
    single = used.groupby(category)[by].nunique()
    single = single[single == 1].index
    if len(single) == 0:
        return "No term is used by one source alone."
    owner = used[used[category].isin(single)].groupby(by)[category].apply(lambda s: list(dict.fromkeys(s)))
    text = "; ".join(f"only {source_label(sid)}: {', '.join(map(str, cats))}" for sid, cats in owner.items())
    return text[0].upper() + text[1:] + "."


def timeline_description(events: pd.DataFrame) -> str:
    """A timeline chart's description, from its events (:func:`alliance.reference.load_timeline`):
    its span by month, then the checked reference events and the points from the sources, by name
    (a source's point with how it is cited)."""
    if events.empty:
        raise ValueError("timeline_description: no event to describe.")
    checked = events[events["provenance"] == "reference"]
    from_sources = events[events["provenance"] != "reference"]
    return (f"Timeline of {len(events)} points from {events['date'].min():%B %Y} to {events['date'].max():%B %Y}, "
            f"round for checked reference events and square for what a source says. {_counted(len(checked), 'checked event')}: "
            + "; ".join(_one_item(checked["event"])) + f". {_counted(len(from_sources), 'point')} from the sources: "
            + "; ".join(_one_item(from_sources["event"]) + " (" + from_sources["cited_as"] + ")") + ".")


def _counted(n: int, thing: str) -> str:
    """The count with its noun: "1 point", "3 points"."""
    return f"{n} {thing}{'' if n == 1 else 's'}"


def _one_item(names: pd.Series) -> pd.Series:
    """Event names as items of a list joined by "; ": a semicolon inside a name becomes a comma,
    so a reader counts one item per event."""
    return names.str.replace(";", ",", regex=False)


def stacked_rates_description(rates: pd.DataFrame, groups: Sequence[str], focus: str) -> str:
    """The description of a stacked bar chart of rates per 1,000 words by source and term group
    (``rates``: ``source_id``, ``group``, ``per_1000``): the groups in the order given, the sources
    ranked on the ``focus`` group, and the sources leading on each group."""
    if focus not in set(rates["group"]):
        raise ValueError(f"stacked_rates_description: no group {focus!r} in the rates.")
    return (f"Stacked bar chart of matches per 1,000 words for {count_word(len(groups))} groups of terms ({', '.join(groups)}) in each "
            "source. " + describe_ranking(rates[rates["group"] == focus], "per_1000",
                                          unit=f"for {focus}, per 1,000 words") + " "
            + describe_leaders(rates, "group", "per_1000", unit="per 1,000 words, by group"))


def term_rates_description(counts: pd.DataFrame, chart: str, *more: str) -> str:
    """The description of a chart of each term's rate per 1,000 words in each source (``counts`` from
    :func:`alliance.text.term_counts`): the sentence ``chart`` saying what is drawn, the sources leading
    on each term, the terms one source alone uses, then the sentences ``more``, joined by spaces."""
    if not chart.strip():
        raise ValueError("term_rates_description: say what the chart draws.")
    return " ".join([chart, describe_leaders(counts, "term", "per_1000", unit="per 1,000 words"),
                     describe_only(counts, "term", "count"), *more])


def theme_bubbles_description(mentions: pd.DataFrame, paragraphs: Sequence[str], where: str) -> str:
    """The description of a bubble chart of themes by paragraph: how many ``paragraphs`` (labels
    "yuan2018 ¶10", in the chart's order) there are and whose, then each paragraph's themes with their
    counts (``mentions``: ``paragraph``, ``theme``, ``count``, as :func:`alliance.text.theme_mentions`
    gives them), then the paragraphs with no theme. ``where`` says which paragraphs these are."""
    if not paragraphs:
        raise ValueError("theme_bubbles_description: no paragraph to describe.")
    per_source = Counter(p.split(" ")[0] for p in paragraphs)   # in the order the sources first appear
    themes_in = {par: ", ".join(f"{t} ({n})" for t, n in zip(g["theme"], g["count"]))
                 for par, g in mentions.groupby("paragraph", sort=False)}
    return (f"Circles for each theme found in the {len(paragraphs)} paragraphs {where} ("
            + ", ".join(f"{n} by {source_label(s)}" for s, n in per_source.items())
            + "), sized by the number of occurrences. Themes by paragraph: "
            + "; ".join(f"{paragraph_name(p)}: {themes_in[p]}" for p in paragraphs if p in themes_in)
            + ". Paragraphs with no theme: " + ", ".join(paragraph_name(p) for p in paragraphs if p not in themes_in) + ".")


def describe_paragraph_mentions(mentions: pd.DataFrame, category: str, value: str) -> str:
    """"<value>: Yuan ¶8 (2), ¶9 (1); Ling and Liu ¶17 (1)." — the paragraphs of each source where
    ``category`` is ``value``, with their ``mentions`` (columns ``source_id``, ``para``, ``mentions``)."""
    rows = mentions[mentions[category] == value]
    if rows.empty:
        raise ValueError(f"describe_paragraph_mentions: no paragraph where {category} is {value!r}.")
    parts = [f"{source_label(s)} " + ", ".join(f"¶{p} ({n})" for p, n in zip(g["para"], g["mentions"]))
             for s, g in rows.groupby("source_id", sort=False)]
    return f"{value}: " + "; ".join(parts) + "."


def shared_groups_description(shared: pd.DataFrame, order: Sequence[str], sources: int, few: int = 2,
                              what: str = "Themes") -> str:
    """"Themes with matches in all five sources: A, B. Themes with matches in two sources or fewer: C."
    from ``shared`` (``group``, ``sources``: how many of the ``sources`` texts have a match): the groups
    in all of them in ``order``, then those in ``few`` or fewer in the frame's order ("none" if no group)."""
    if sources < 1 or not {"group", "sources"} <= set(shared.columns):
        raise ValueError("shared_groups_description: `shared` needs columns group and sources, of at least one source.")
    everywhere = set(shared.loc[shared["sources"] == sources, "group"])
    in_all = [g for g in order if g in everywhere]
    rare = shared.loc[shared["sources"] <= few, "group"].tolist()
    def texts(n: int) -> str:
        return f"{count_word(n)} source{'' if n == 1 else 's'}"
    return (f"{what} with matches in all {texts(sources)}: " + (", ".join(in_all) or "none") + ". "
            f"{what} with matches in {texts(few)} or fewer: " + (", ".join(rare) or "none") + ".")


def checked_figures(figures: pd.DataFrame, years: str, label: str) -> str:
    """The checked figures (rows of ``load_figures()``, each series named by its ``label`` column) of the
    ``years`` ("2016;2017"), as a table cell: "Checked figures: JETRO 2016: US$ 301.6 billion; …"."""
    rows = figures[figures["year"].isin([int(year) for year in years.split(";")])]
    return "Checked figures: " + "; ".join(f"{name} {year}: US$ {value:g} billion" for name, year, value
                                           in zip(rows[label], rows["year"], rows["value_usd_billion"]))


def describe_top_groups(top: pd.DataFrame, groups: str, value: str, order: Sequence[str],
                        digits: int = 2) -> str:
    """Each source's leading groups, from the rows of :func:`leaders` by source (indexed by source id, in the
    order to name them), a tie's groups in ``order``: "Su, trade (1.25); the Japanese press report, history
    and trade (tied, 0.50)"."""
    return "; ".join(f"{join_names([s], article=True)}, {join_names(sorted(r[groups], key=list(order).index))} "
                     f"({'tied, ' if len(r[groups]) > 1 else ''}{r[value]:.{digits}f})" for s, r in top.iterrows())
