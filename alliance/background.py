"""Background facts beyond the sources: the rows of ``data/reference/context-background.csv`` (the shared,
checked copy), the course's own ``added-background.csv`` beside it, and ``context-institutions.csv``.

Every row must say what it holds (``fact``), a few key words found on its page (``evidence``), what
kind of page that is (``kind``) and its address (``source_url``); a row missing any of them fails.
Prose cites a row with ``{bg}`topic``` or ``{inst}`KEY```, which the book renders as a short named link
("Japan Times, press report") with the fact on hover; an unknown topic or key fails the build.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from alliance import paths
from alliance.errors import CitationError

#: The columns every reference row needs, in the order a reader wants them.
REQUIRED: tuple[str, ...] = ("fact", "evidence", "kind", "source_url")

#: The shared file (a byte-for-byte copy) and the course's own rows beside it, same columns.
BACKGROUND_FILES: tuple[str, ...] = ("context-background.csv", "added-background.csv")
INSTITUTIONS_FILE = "context-institutions.csv"

#: A short name for each site a reference row points to (the link text a reader sees).
SITE_NAMES: dict[str, str] = {
    "law.marquette.edu": "Marquette Law faculty blog",
    "web.pdx.edu": "Portland State course page",
    "tradearabia.com": "TradeArabia",
    "america.cgtn.com": "CGTN America",
    "japantimes.co.jp": "Japan Times",
    "mofa.go.jp": "Japan's Foreign Ministry",
    "usfj.mil": "US Forces Japan",
    "finanznachrichten.de": "finanznachrichten.de (dpa-AFX)",
    "reuters.com": "Reuters",
    "ustr.gov": "USTR",
    "nippon.com": "Nippon.com",
    "cambridge.org": "Cambridge Core",
    "1library.net": "1library (thesis chapter)",
    "jstage.jst.go.jp": "J-STAGE",
    "thehindu.com": "The Hindu",
    "straitstimes.com": "Straits Times",
    "variety.com": "Variety",
    "en.wikipedia.org": "Wikipedia",
    "ciis.org.cn": "CIIS website",
    "jiia.or.jp": "JIIA website",
    "wikimili.com": "WikiMili",
    "today.cofc.edu": "College of Charleston",
    # further reading (added-background.csv)
    "cia.gov": "CIA reading room",
    "everycrsreport.com": "EveryCRSReport",
    "asianstudies.org": "Education About Asia",
    "elsevier.com": "Elsevier",
    "rand.org": "RAND",
    "asahi.com": "Asahi Shimbun",
    "britannica.com": "Encyclopaedia Britannica",
    "nhk.or.jp": "NHK World",
    "openstax.org": "OpenStax",
    "theguardian.com": "The Guardian",
    "en.wikisource.org": "Wikisource",
    "bohrium.dp.tech": "Bohrium (paper abstract)",
    "vietnamproject.archives.msu.edu": "Michigan State University archive",
    "jmh.usembassy.gov": "US Embassy Tokyo (press translations)",
    "blog.ap.org": "AP blog",
    # the checked events (context-events.csv), shown in the background page's timeline
    "worldjpn.net": "World and Japan database",
    "jp.usembassy.gov": "US Embassy in Japan",
    "fas.org": "Federation of American Scientists",
    "english.vov.vn": "Voice of Vietnam",
    "epi.org": "Economic Policy Institute",
    "defense.gov": "US Defense Department",
    "presidency.ucsb.edu": "American Presidency Project",
    "stripes.com": "Stars and Stripes",
    "scmp.com": "South China Morning Post",
    "blogs.state.gov": "US State Department blog",
    "sais.jhu.edu": "Johns Hopkins SAIS",
    "regulations.justia.com": "Justia (Federal Register)",
    "laht.com": "Latin American Herald Tribune",
    "english.gov.cn": "China's State Council",
    "theepochtimes.com": "Epoch Times",
    "politico.eu": "Politico Europe",
    "eeas.europa.eu": "EU External Action Service",
    "santiagotimes.cl": "Santiago Times",
    "trumpwhitehouse.archives.gov": "White House archives",
    "gov-online.go.jp": "Japan's Government Public Relations Office",
}

#: How a row's ``kind`` reads in a link ("scholarly" → "scholarly page").
KIND_WORDS: dict[str, str] = {"scholarly": "scholarly page", "self-description": "own description"}


@dataclass(frozen=True)
class FactRow:
    """One checked fact: its key, the fact in the course's words, key words of its page, kind and address."""

    key: str
    fact: str
    evidence: str
    kind: str
    url: str
    file: str
    date: str = ""

    @property
    def site(self) -> str:
        """The short name of the page's site (``SITE_NAMES``)."""
        return site_name(self.url)

    @property
    def secondary(self) -> bool:
        """Whether the page is not the primary text (anything but an official text or a self-description)."""
        return not self.kind.startswith(("official text", "self-description"))

    @property
    def link_text(self) -> str:
        """What a reader sees: "Japan Times, press report"."""
        kind = KIND_WORDS.get(self.kind, self.kind).replace(f" ({self.site})", "")  # the site is named once
        return f"{self.site}, {kind}"

    def html(self) -> str:
        """The row as a short named link with the fact on hover."""
        return (f'<a class="alliance-ref alliance-bg" href="{html.escape(self.url)}" '
                f'title="{html.escape(self.fact)}">{html.escape(self.link_text)}</a>')


def known_site_name(url: str) -> str | None:
    """The short name ``SITE_NAMES`` gives ``url``'s site (a subdomain counts as its site), else ``None``."""
    host = (urlparse(url).hostname or "").lower()
    return next((name for domain, name in SITE_NAMES.items() if host == domain or host.endswith("." + domain)), None)


def site_name(url: str) -> str:
    """The short name of ``url``'s site; an address whose site has no name fails (add it to ``SITE_NAMES``)."""
    name = known_site_name(url)
    if name is not None:
        return name
    raise CitationError(f"Reference address {url!r}: its site has no short name; add it to "
                        "alliance.background.SITE_NAMES.")


def check_rows(table: pd.DataFrame, file: str, key_column: str) -> list[str]:
    """Every problem of a reference table: a row without a key, fact, key words, kind or address,
    an address that is not http(s), a key used twice."""
    problems = []
    for column in (key_column, *REQUIRED):
        if column not in table.columns:
            return [f"{file}: no column {column!r}"]
    for number, row in enumerate(table.itertuples(index=False), start=2):
        values = row._asdict()
        for column in (key_column, *REQUIRED):
            if not str(values[column]).strip():
                problems.append(f"{file} line {number}: no {column}")
        if str(values["source_url"]).strip() and not re.match(r"https?://\S+$", str(values["source_url"]).strip()):
            problems.append(f"{file} line {number}: source_url is not an address: {values['source_url']!r}")
    repeated = table[key_column][table[key_column].duplicated()]
    problems += [f"{file}: {key_column} {key!r} is used twice" for key in repeated]
    return problems


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def institution_keys(table: pd.DataFrame) -> list[str]:
    """``CGTN-1``, ``CIIS-1``, ``JIIA-2``…: the short name (in brackets, else the name) and the row's
    number among that institution's rows."""
    keys, seen = [], {}
    for name in table["institution"]:
        short = re.search(r"\(([^)]+)\)", name)
        short_name = short.group(1) if short else name.strip()
        seen[short_name] = seen.get(short_name, 0) + 1
        keys.append(f"{short_name}-{seen[short_name]}")
    return keys


@lru_cache(maxsize=4)
def _rows(reference_dir: Path) -> dict[str, FactRow]:
    rows: dict[str, FactRow] = {}
    problems: list[str] = []
    for name in BACKGROUND_FILES:
        path = reference_dir / name
        if not path.exists():
            continue
        table = _read(path)
        problems += check_rows(table, name, "topic")
        for row in table.itertuples(index=False):
            if row.topic in rows:
                problems.append(f"{name}: topic {row.topic!r} is already in {rows[row.topic].file}")
            rows[row.topic] = FactRow(row.topic, row.fact, row.evidence, row.kind, row.source_url, name,
                                      getattr(row, "date", ""))
    institutions = _read(reference_dir / INSTITUTIONS_FILE)
    institutions["key"] = institution_keys(institutions)
    problems += check_rows(institutions, INSTITUTIONS_FILE, "key")
    for row in institutions.itertuples(index=False):
        rows["inst:" + row.key] = FactRow(row.key, row.fact, row.evidence, row.kind, row.source_url, INSTITUTIONS_FILE)
    for row in rows.values():
        try:
            site_name(row.url)
        except CitationError as error:
            problems.append(f"{row.file} {row.key}: {error}")
    if problems:
        raise CitationError("Reference rows are incomplete:\n" + "\n".join(problems))
    return rows


def all_rows(reference_dir: Path | None = None) -> dict[str, FactRow]:
    """Every background row by topic and every institution row by ``inst:KEY``, checked."""
    return _rows(Path(reference_dir or paths.REFERENCE_DIR))


def background_row(topic: str, reference_dir: Path | None = None) -> FactRow:
    """The background row ``topic``; an unknown topic fails, naming the files searched."""
    rows = all_rows(reference_dir)
    if topic.strip() not in rows or topic.startswith("inst:"):
        raise CitationError(f"Background fact {topic!r}: no such topic in data/reference/"
                            f"{' or '.join(BACKGROUND_FILES)}. Add a row (fact, date, key words, kind, address) "
                            "found on a public page; never from memory.")
    return rows[topic.strip()]


def institution_row(key: str, reference_dir: Path | None = None) -> FactRow:
    """The institution row ``KEY`` (``CGTN-1``, ``JIIA-2``…); an unknown key fails, listing the keys."""
    rows = all_rows(reference_dir)
    if "inst:" + key.strip() not in rows:
        known = ", ".join(k[5:] for k in rows if k.startswith("inst:"))
        raise CitationError(f"Institution fact {key!r}: no such row in data/reference/{INSTITUTIONS_FILE} "
                            f"(keys: {known}).")
    return rows["inst:" + key.strip()]


def institution_table(reference_dir: Path | None = None) -> pd.DataFrame:
    """The institutions file with its keys (``key``) and the sources each row concerns (``named_in``)."""
    table = _read(Path(reference_dir or paths.REFERENCE_DIR) / INSTITUTIONS_FILE)
    table["key"] = institution_keys(table)
    return table


#: How a checked event of ``context-events.csv`` reads in the kind column of a timeline (the file gives no kind).
EVENT_KIND = "checked event"

#: Short labels for the dated background rows in a timeline (the course's words); a dated row without one
#: shows its whole fact.
TIMELINE_LABELS: dict[str, str] = {
    "inauguration": "Donald Trump sworn in as the 45th US president",
    "security-legislation-2015-passage": "Japan's upper house passes the security bills into law",
    "security-legislation-2015-in-force": "Japan's security laws take effect (collective self-defence in limited cases)",
    "defense-guidelines-2015": "New Guidelines for Japan-US Defense Cooperation adopted at the 2+2 in New York",
    "host-nation-support-sma-2016": "New five-year Special Measures Agreement on host-nation support signed",
    "us-forces-japan-2017": "US Forces Japan's commander puts the US service members stationed in Japan at 54,000",
    "trump-campaign-burden-sharing-2016": "Candidate Trump says Japan should pay all the costs of the US bases",
    "trump-burden-sharing-2018": "President Trump says Japan pays a fraction of what its defence costs the US",
    "senkaku-purchase-2012": "Japan's government buys three of the Diaoyu/Senkaku islands",
    "us-japan-trade-agreements-2019": "US-Japan Trade Agreement and Digital Trade Agreement signed",
    "abe-resignation-2020": "Prime Minister Abe announces his resignation",
    "quad-manila-2017": "Australia, India, Japan and US officials meet in Manila",
    "quad-manila-2017-first": "The Hindu calls the Manila talks the first formal Quad talks",
    "trump-kim-singapore-2018": "Trump and Kim Jong Un meet in Singapore",
    "collective-self-defence-cabinet-2014": "Japan's Cabinet reinterprets the Constitution to allow collective self-defence in limited cases",
    "north-korea-missile-2017": "A North Korean ballistic missile flies over Japan",
    "north-korea-nuclear-test-2017": "Japan's government concludes that North Korea has conducted its sixth nuclear test",
    "japan-china-communique-1972": "Japan-China Joint Communique normalises relations",
    "tpp-crs-2016": "Twelve countries, the US and Japan among them, sign the Trans-Pacific Partnership",
}


def background_timeline(reference_dir: Path | None = None) -> pd.DataFrame:
    """The dated background rows and the checked events as one timeline, in date order: ``date`` (as a
    reader reads it), ``event`` (a short label) and ``page``, a link to the page whose words are the site's
    short name and the kind of page ("Japan Times, press report"; an event reads "…, checked event").
    An event whose date a background row already covers is left out (the row says more)."""
    from alliance.reference import Link, display_date, load_events

    rows = background_table(reference_dir)
    dated = rows[rows["date"].str.strip() != ""]
    items = [(pd.Timestamp(r.date), "", TIMELINE_LABELS.get(r.topic, r.fact), r.source_url,
              all_rows(reference_dir)[r.topic].link_text) for r in dated.itertuples()]
    covered = {when for when, *_ in items}
    events = load_events()
    for r in events.itertuples():
        if r.date not in covered:
            items.append((r.date, r.end_date, r.event, r.source_url, f"{site_name(r.source_url)}, {EVENT_KIND}"))
    items.sort(key=lambda item: item[0])
    return pd.DataFrame(
        [{"date": display_date(when, "day", None if end is None or (not isinstance(end, str) and pd.isna(end)) or end == "" else end),
          "event": label, "page": Link(url, page)} for when, end, label, url, page in items])


def background_table(reference_dir: Path | None = None) -> pd.DataFrame:
    """All background rows (shared and added), with the file each comes from, sorted by date then topic."""
    frames = []
    for name in BACKGROUND_FILES:
        path = Path(reference_dir or paths.REFERENCE_DIR) / name
        if path.exists():
            frames.append(_read(path).assign(file=name))
    return pd.concat(frames, ignore_index=True).sort_values(["date", "topic"], kind="stable").reset_index(drop=True)
