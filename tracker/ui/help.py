"""Each page's in-app help: the question it answers and how it answers it (shown in an expander at
the top of the page by tracker.ui.components.page_help). Pure: no streamlit import.

The texts are written for a newcomer on a foreign ministry's cyber desk; keep them true when a page
changes (tests/test_app.py opens each one).
"""

from __future__ import annotations

LINKS = (
    "Every choice on this page is part of its address: copy the address to share or bookmark exactly "
    "this view (a cleared choice stays cleared)."
)

PAGE_HELP = {
    "overview": (
        "**Who has adopted an instrument, and who is aligned with whom, on a given day?** The map "
        "colours every party by its status on the chosen instrument (bound, member or endorsed; "
        "signed only; observer; withdrew) as derived from the dated actions up to the date on the "
        "slider; a year-only date counts from the end of that year. *Alignment with a country* "
        "colours every party instead by its chance-corrected agreement (Cohen's kappa) with that "
        "country, on cyber votes, adoption portfolios or both; grey means too little evidence. The "
        "counts below say how many data points stand behind them, and *What changed recently* lists "
        "the dated actions in the chosen window."
    ),
    "catalogue": (
        "**What is this instrument, norm or standard, and who carries it?** Type a half-remembered "
        "name, acronym, treaty number or clause id; the facets narrow the list. Selecting a row opens "
        "the entry: its description, official link (from the catalogue's sources), adopters on a "
        "map with a timeline, the norms it carries (the crosswalk) and every source with its as-of "
        "date. A norm's page lists the clauses that write it down and the parties that carry it "
        "through instruments they adopted: derived evidence, never asserted. Selecting a country "
        "opens its profile."
    ),
    "country": (
        "**Where does this country stand?** Its adoptions (and what it has not adopted), its "
        "groups, its votes on the UN cyber resolutions, its closest and most distant partners by "
        "combined alignment, its voting bloc and its place on the open-vs-sovereign axis (the first "
        "principal component of the contested cyber votes). The counts are those of the country "
        "brief you can export below, so the page and the brief give the same answer."
    ),
    "compare": (
        "**How aligned are these parties, and on what evidence?** Alignment is Cohen's kappa on "
        "the votes they both cast (with the number of co-votes) combined with the similarity of "
        "their adoption portfolios; below ten co-votes a score is left blank. Add a group to see the "
        "share of its current members that adopted each instrument and its members' majority vote. "
        "The split votes table lists the cyber resolutions on which they voted differently."
    ),
    "blocs": (
        "**Which voting blocs form, who is in between, and how will a resolution go?** Blocs come "
        "from clustering the parties on 1 - kappa (hierarchical) or from network communities "
        "(Louvain); cohesion is the mean kappa inside a bloc. Swing states are parties between "
        "blocs, with their reasons. The prediction uses only data dated before the vote plus the "
        "votes you already know, and its backtest against simple baselines says how far to trust "
        "it. Each bloc listed can be exported as a bloc summary or a briefing pack."
    ),
    "gaps": (
        "**What has this country not adopted that its bloc has, and who adopts next?** Against a "
        "group, the gaps are the instruments that at least half of the group's current members "
        "adopted and the country has not, ranked by that share; against a reference party, the "
        "instruments that party adopted. *Likely next adopters* ranks the non-adopters of an "
        "instrument by how many of their most similar parties (by alignment) adopted it; its "
        "backtest on past adoptions is shown with it."
    ),
    "sources": (
        "**Where does every number come from?** Each source with its publisher, URL and as-of "
        "date (secondary sources are marked as such in the exports), the coverage of each "
        "instrument (no data is not non-adoption), the data quality report, the licence and how to "
        "cite the catalogue. The raw tables can be downloaded for analysis."
    ),
    "curation": (
        "**How does the data change?** Every change is a proposal with a reason and a source; a "
        "second person with the reviewer role approves it before the live data changes (the "
        "two-person rule), and the history keeps every earlier state. Browsing needs no sign-in; "
        "proposing and reviewing need an account in the users file named by TRACKER_USERS_FILE "
        "(`tracker users add NAME --role editor`)."
    ),
}
