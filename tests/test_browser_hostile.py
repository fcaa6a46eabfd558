"""Hostile content in a real browser (opt-in: pytest -m browser): catalogue text, a party's note, a
proposal's reason and summary and a link's value that carry markdown images, HTML and links to
an outside host are shown as text, and the browser requests nothing beyond 127.0.0.1."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_support import CHROMIUM, DONE, chromium, remote, streamlit_server, wait_until_done, watch_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's /usr/bin/chromium"),
]

MINI = Path(__file__).parent / "data" / "mini"
EVIL = "http://evil.example"
IMAGE = f"![pixel]({EVIL}/pixel.png)"
HOSTILE = f"{IMAGE} <img src='{EVIL}/tag.png'> [click]({EVIL}/link) <{EVIL}/auto> :material/home: $x^2$"


def rewrite(path: Path, change) -> None:
    """Apply ``change(row)`` to every row of a catalogue CSV (header and quoting kept)."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        fields, rows = reader.fieldnames, list(reader)
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def hostile_catalogue(folder: Path) -> Path:
    target = folder / "hostile"
    shutil.copytree(MINI, target)

    def instrument(row):
        if row["id"] == "budapest-convention":
            row["description"] = f"First treaty. {HOSTILE}"
            row["stance_reason"] = f"Reason {IMAGE}"
            row["url"] = f"https://www.coe.int/x){IMAGE}"  # valid (no space), would break out of a markdown link

    def party(row):
        if row["code"] == "FRA":
            row["note"] = f"Curated note {HOSTILE}"

    def source(row):
        row["title"] = f"{row['title']} {IMAGE}"

    rewrite(target / "instruments.csv", instrument)
    rewrite(target / "parties.csv", party)
    rewrite(target / "sources.csv", source)
    return target


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    import os

    from tracker import curation
    from tracker.curation import User
    from tracker.db import engine_for, session_scope
    from tracker.sync import sync_to_database

    folder = tmp_path_factory.mktemp("hostile")
    catalogue = hostile_catalogue(folder)
    users = folder / "users.toml"
    curation.add_user("alice", "editor", "alice-password", path=users)
    url = f"sqlite:///{folder / 'tracker.db'}"
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "TRACKER_CATALOGUE", "TRACKER_USERS_FILE")}
    os.environ.update(DATABASE_URL=url, TRACKER_CATALOGUE=str(catalogue), TRACKER_USERS_FILE=str(users))
    try:
        sync_to_database()
        key = {"instrument_id": "paris-call", "party_code": "FRA", "action": "endorsed", "role": "", "date": "2019"}
        with session_scope() as session:
            change = curation.make_change(session, "adoptions", key, {"source_id": "paris-call-data", "note": HOSTILE})
        curation.propose(
            User("alice", "editor"), [change], reason=f"Chart update {HOSTILE}", source_id="paris-call-data"
        )
        engine_for(url).dispose()
        with streamlit_server(url) as (base, _proc, _started):
            yield base
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_hostile_text_is_shown_as_text_and_nothing_is_fetched_from_outside(hostile_server):
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(180_000)
        requests = watch_requests(page)
        visits = [
            "catalogue?item=budapest-convention",
            f"catalogue?item={quote(f'![x]({EVIL}/x.png)')}",
            f"catalogue?q={quote(IMAGE)}",
            "country?party=FRA",
            "sources",
            "curation",
        ]
        for path in visits:
            page.goto(f"{hostile_server}/{path}")
            wait_until_done(page)
            errors = page.locator('[data-testid="stException"]')
            assert errors.count() == 0, (path, errors.first.inner_text()[:1500] if errors.count() else "")
            if path == "curation":
                page.get_by_role("tab", name="Review queue").click()
            for expander in page.locator('[data-testid="stExpander"] summary').all():
                if expander.is_visible():
                    expander.click()  # e.g. the review queue's proposals (reason, summary)
            page.wait_for_selector(DONE)
            page.wait_for_timeout(300)
            found = page.locator(f'img[src^="{EVIL}"], a[href^="{EVIL}"]')
            assert found.count() == 0, (path, found.first.evaluate("e => e.parentElement.outerHTML")[:500])
        body = page.locator("body").inner_text().replace("\u2060", "")  # tracker.ui.text's invisible joiners
        assert "Chart update ![pixel](http://evil.example/pixel.png)" in body  # the reason, as typed
        context.close()
    assert requests, "the page made no requests at all (the listener is broken)"
    assert remote(requests) == [], sorted(set(remote(requests)))
