"""Browser tests (opt-in: pytest -m browser): the real server on 127.0.0.1, Debian's chromium.

Every page loads without an error element, nothing is requested from anywhere but
localhost, and the overview map is drawn (a screenshot that is not blank).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser_support import CHROMIUM, DONE, PAGES, chromium, remote, streamlit_server, wait_until_done, watch_requests

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's /usr/bin/chromium"),
]

SCREENSHOTS = Path(os.environ.get("TRACKER_SCREENSHOT_DIR", "")) if os.environ.get("TRACKER_SCREENSHOT_DIR") else None


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The real app on a fresh SQLite file: the first page load fills it (as a first start does)."""
    db = tmp_path_factory.mktemp("browser") / "tracker.db"
    with streamlit_server(f"sqlite:///{db}") as (base, proc, _started):
        yield base


@pytest.fixture(scope="module")
def chrome():
    with chromium() as b:
        yield b


@pytest.fixture
def app_page(chrome):
    context = chrome.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    yield pg
    context.close()


def test_every_page_loads_offline_without_errors(server, app_page):
    page = app_page
    requests = watch_requests(page)
    for name, path in PAGES.items():
        page.goto(f"{server}/{path}")
        wait_until_done(page, charts=(name == "overview"))
        assert page.locator('[data-testid="stException"]').count() == 0, f"error element on {name}"
        assert page.locator("h1").first.inner_text().strip(), f"no title on {name}"
    assert requests, "the page made no requests at all (the listener is broken)"
    assert remote(requests) == [], sorted(set(remote(requests)))


def test_overview_map_is_drawn(server, app_page, tmp_path):
    from PIL import Image, ImageStat

    page = app_page
    requests = watch_requests(page)
    page.goto(server)
    wait_until_done(page, charts=True)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)  # let vega finish drawing after the element appears
    target = (SCREENSHOTS or tmp_path) / "overview-map.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(target))
    image = Image.open(target).convert("RGB")
    assert image.width > 300 and image.height > 200
    variance = sum(ImageStat.Stat(image).var) / 3
    assert variance > 200, f"the map screenshot looks blank (pixel variance {variance:.0f})"
    colours = {c for _n, c in image.getcolors(maxcolors=1 << 20)}
    adopted_blue = (0x00, 0x72, 0xB2)
    assert adopted_blue in colours, "no country is coloured as an adopter"
    assert remote(requests) == [], sorted(set(remote(requests)))


def test_selected_parties_survive_navigation_and_are_in_the_url(server, app_page):
    page = app_page
    page.set_default_timeout(120_000)  # a first visit computes the page's analytics (cold caches)
    page.goto(f"{server}/compare?parties=USA,RUS")
    wait_until_done(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.get_by_text("Russian Federation (RUS)").first.wait_for()
    assert "United States (USA)" in page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    page.get_by_role("link", name="Country profile").click()
    page.wait_for_url("**/country**")
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').innerText.includes('United States')"
    )
    page.wait_for_selector(DONE)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "party=USA" in page.url  # the Country profile starts from the first party compared


def _select_text(page, label: str) -> str:
    """The visible value(s) of the select or multiselect whose label is ``label``."""
    widget = page.locator('[data-testid="stSelectbox"], [data-testid="stMultiSelect"]').filter(has_text=label).first
    typed = [i.input_value() for i in widget.locator("input").all()]  # a selectbox shows its value in its input
    return "\n".join([widget.inner_text(), *typed])


def test_a_link_reopens_every_control(server, app_page):
    page = app_page
    page.set_default_timeout(180_000)
    requests = watch_requests(page)
    page.goto(f"{server}/compare?parties=DEU,bra&group=AU&topic=all")
    wait_until_done(page)
    parties = _select_text(page, "Parties (two to four)")
    assert "Germany (DEU)" in parties and "Brazil (BRA)" in parties
    assert "United States" not in parties  # the link's parties replace the defaults
    assert "African Union (au)" in _select_text(page, "Add a group")
    assert page.get_by_role("radio", name="all UNGA votes").is_checked()

    page.goto(f"{server}/gaps?party=India&against=group&bloc=au")
    wait_until_done(page)
    assert "India (IND)" in _select_text(page, "Party")
    assert "African Union (au)" in _select_text(page, "Group")
    assert "party=IND" in page.url and "bloc=au" in page.url

    page.goto(f"{server}/?mode=alignment&party=FRA&basis=combined&as_of=2015-06-30")
    wait_until_done(page, charts=True)
    assert page.get_by_role("radio", name="Alignment with a country").is_checked()
    assert "France (FRA)" in _select_text(page, "Alignment with")
    assert page.get_by_role("radio", name="combined").is_checked()
    assert "2015-06-30" in page.locator('[data-testid="stSlider"]').first.inner_text()
    assert remote(requests) == [], sorted(set(remote(requests)))


def test_typing_a_name_and_enter_adds_that_party_only(server, app_page):
    page = app_page
    page.set_default_timeout(180_000)
    page.goto(f"{server}/compare?parties=USA")
    wait_until_done(page)
    box = page.locator('[data-testid="stMultiSelect"]').first
    box.locator("input").click()
    page.keyboard.type("India")
    page.keyboard.press("Enter")
    page.wait_for_url("**parties=USA%2CIND**")
    page.wait_for_selector(DONE)
    chosen = box.inner_text()
    assert "India (IND)" in chosen
    assert "Indonesia" not in chosen and "Saint Kitts" not in chosen


def test_cleared_default_parties_stay_cleared_after_a_reload(server, app_page):
    page = app_page
    page.set_default_timeout(180_000)
    page.goto(f"{server}/compare")
    wait_until_done(page)
    box = page.locator('[data-testid="stMultiSelect"]').first
    assert "United States" in box.inner_text()
    box.get_by_role("button", name="Clear all").click()
    page.wait_for_url(re.compile(r".*parties=(&|$).*"))
    page.wait_for_selector(DONE)
    page.reload()
    wait_until_done(page)
    assert "United States" not in page.locator('[data-testid="stMultiSelect"]').first.inner_text()
    assert page.get_by_text("Choose at least two parties").count() == 1
