"""The pages in a real browser: headless Debian Chromium driven by Selenium, against
``python server.py`` serving the sample articles and an article built to attack the pages.

Skipped when Chromium is not installed, unless ``KG_REQUIRE_BROWSER=1`` (CI) makes that a
failure. One server and one browser serve the whole module.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from kg.config import Settings
from kg.pipeline import ingest
from kg.queries import saved_query
from kg.resources import SAMPLES_DIR
from kg.store import KGStore
from tests.browser import PROBE_ID, PROBE_SCRIPT, require_chromium, start_chromium, write_probe
from tests.servers import free_port, running_server

pytestmark = [pytest.mark.server, pytest.mark.model]

BASE = Settings().base
WAIT_SECONDS = 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python server.py`` on a store holding the samples and the probe article."""
    require_chromium()
    tmp = tmp_path_factory.mktemp("browser")
    store_path = tmp / "kg"
    settings = Settings(store_path=store_path, processes=1)
    with KGStore(store_path) as store:
        # Ingesting publishes a snapshot, so server.py serves this store as it is.
        report = ingest([SAMPLES_DIR, write_probe(tmp)], store, settings)
    assert report.stored == 3, report.failed
    port = free_port()
    env = {
        **os.environ,
        "KG_STORE": str(store_path),
        "KG_PORT": str(port),
        "KG_PROCESSES": "1",
        "KG_QUERY_WORKERS": "2",
    }
    command = [sys.executable, "server.py"]
    with running_server(command, port, tmp / "server.log", env=env) as url:
        yield url


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    driver = start_chromium(tmp_path_factory.mktemp("chromium") / "profile")
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(browser: webdriver.Chrome, selector: str) -> list[WebElement]:
    """The elements matching ``selector`` once there is at least one."""
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: d.find_elements(By.CSS_SELECTOR, selector))
    return browser.find_elements(By.CSS_SELECTOR, selector)


def console_errors(browser: webdriver.Chrome) -> list[str]:
    """Error messages the pages logged since the last call."""
    entries: list[dict[str, str]] = browser.get_log("browser")  # type: ignore[no-untyped-call]
    return [entry["message"] for entry in entries if entry["level"] == "SEVERE"]


def xss_ran(browser: webdriver.Chrome) -> object:
    return browser.execute_script("return window.__xss")


def select(server: str, sparql: str) -> list[dict[str, str]]:
    """A query's rows as plain values, asked over HTTP."""
    request = urllib.request.Request(
        f"{server}/sparql?{urllib.parse.urlencode({'query': sparql})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    return [{k: v["value"] for k, v in row.items()} for row in body["results"]["bindings"]]


def test_index_loads_without_console_errors(browser: webdriver.Chrome, server: str) -> None:
    browser.get(f"{server}/")
    assert browser.find_element(By.TAG_NAME, "h2").text
    assert wait_for(browser, "a.saved-query")
    assert console_errors(browser) == []


def test_a_saved_query_runs_into_a_table_with_links(browser: webdriver.Chrome, server: str) -> None:
    browser.get(f"{server}/")
    browser.find_element(By.CSS_SELECTOR, 'a.saved-query[data-name="strikes"]').click()
    editor = browser.find_element(By.ID, "query")
    assert editor.get_property("value") == saved_query("strikes").text
    browser.find_element(By.ID, "run").click()
    rows = wait_for(browser, "#result-body table tbody tr")
    assert len(rows) >= 5
    links = browser.find_elements(By.CSS_SELECTOR, '#result-body a[href*="/id/strike/"]')
    assert links
    assert "row" in browser.find_element(By.ID, "status").text
    links[0].click()
    wait_for(browser, "mark.evidence")
    assert "/id/strike/" in browser.current_url
    assert console_errors(browser) == []


def test_a_syntax_error_is_shown_with_its_position(browser: webdriver.Chrome, server: str) -> None:
    browser.get(f"{server}/")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys("SELECT * WHERE {\n  ?s ?p\n}")
    browser.find_element(By.ID, "run").click()
    error = wait_for(browser, "#result-body .error")[0]
    assert "line" in error.text and "Bad Request" in error.text
    console_errors(browser)  # the 400 itself is logged as a failed resource load


@pytest.mark.parametrize("drawing", ["timeline", "map"])
def test_timeline_and_map_marks_open_strike_pages(
    browser: webdriver.Chrome, server: str, drawing: str
) -> None:
    browser.get(f"{server}/")
    marks = wait_for(browser, f"svg.{drawing} a.mark")
    assert len(marks) >= 2
    target = marks[0].get_dom_attribute("href") or ""
    assert "/id/strike/" in target
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", marks[0])
    marks[0].find_element(By.CSS_SELECTOR, "circle, rect").click()
    WebDriverWait(browser, WAIT_SECONDS).until(lambda d: "/id/strike/" in d.current_url)
    assert wait_for(browser, "mark.evidence")
    assert browser.find_elements(By.CSS_SELECTOR, "mark.mention")
    assert console_errors(browser) == []


def test_the_probe_article_runs_no_script(browser: webdriver.Chrome, server: str) -> None:
    doc = f"{BASE}doc/{PROBE_ID}"
    rows = select(
        server,
        "SELECT ?s WHERE { ?r <https://w3id.org/strike-kg/ontology#document> "
        f"<{doc}> ; <https://w3id.org/strike-kg/ontology#describes> ?s }}",
    )
    assert rows, "the probe article yielded no strike"
    pages = [f"/id/doc/{PROBE_ID}", f"/id/doc/{PROBE_ID}/report/1", "/"]
    pages.append("/id/" + rows[0]["s"].removeprefix(BASE))
    for path in pages:
        browser.get(f"{server}{path}")
        wait_for(browser, "footer")
        assert xss_ran(browser) is None, path
        # Escaped, not merely blocked by the Content-Security-Policy: no element came of it.
        injected = "main script, main img, main b"
        assert browser.find_elements(By.CSS_SELECTOR, injected) == [], path
        if path != "/":
            assert PROBE_SCRIPT in browser.find_element(By.CSS_SELECTOR, ".article-text").text
    # The article's text in the results table too.
    browser.get(f"{server}/")
    editor = browser.find_element(By.ID, "query")
    editor.clear()
    editor.send_keys(
        "SELECT ?text ?headline WHERE { ?d <http://schema.org/headline> ?headline ; "
        "<http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#isString> ?text }"
    )
    browser.find_element(By.ID, "run").click()
    cells = wait_for(browser, "#result-body td")
    assert any("<script>" in cell.text for cell in cells)  # shown as text
    assert xss_ran(browser) is None
