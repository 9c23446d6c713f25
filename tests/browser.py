"""Helpers for the page tests: an article built to attack the pages, and headless Chromium.

The probe article carries markup in its text, headline, outlet and URL, each setting
``window.__xss`` if it ever runs, so a browser test can tell whether any of it executed.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

PROBE_ID = "xss-probe"
PROBE_SCRIPT = "<script>window.__xss='script'</script>"
PROBE_IMG = '"><img src=x onerror="window.__xss=\'img\'">'
PROBE_TITLE = 'Jets hit base "><img src=x onerror="window.__xss=\'title\'"> near Homs'
PROBE_OUTLET = "<b>outlet</b>"
PROBE_URL = "javascript:window.__xss='url'"
# Enough plain English around the markup for the language check, and a strike to extract.
PROBE_TEXT = (
    "Israeli jets struck a military base near Homs on Sunday, killing three soldiers, "
    f"state media said. {PROBE_SCRIPT} The base was destroyed in the attack, the army said "
    f"in a statement. {PROBE_IMG} Residents of the city said that they heard loud explosions "
    "during the night and that the fire could be seen from far away. It was the second such "
    "attack on the base this year, and there has been no comment from Israel.\n"
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def write_probe(directory: Path) -> Path:
    """Write the probe article as a JSON Lines file in ``directory``; return its path."""
    path = directory / "probe.jsonl"
    record = {
        "id": PROBE_ID,
        "url": PROBE_URL,
        "source": PROBE_OUTLET,
        "published": "2020-06-01",
        "title": PROBE_TITLE,
        "text": PROBE_TEXT,
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    return path


def require_chromium() -> None:
    """Skip the test unless Debian's chromium and chromedriver are installed; with
    ``KG_REQUIRE_BROWSER=1`` (as in CI) their absence is a failure instead."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("KG_REQUIRE_BROWSER") == "1":
        pytest.fail(f"KG_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def chromium_options(profile: Path) -> webdriver.ChromeOptions:
    """Options for headless Chromium with a fresh profile and no background traffic."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    # Console messages, to check that pages log no errors.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return options


def start_chromium(profile: Path) -> webdriver.Chrome:
    """A WebDriver on Debian's chromium through its chromedriver.

    Naming the driver's path keeps Selenium Manager from looking for (or downloading) one.
    """
    shutil.rmtree(profile, ignore_errors=True)
    profile.mkdir(parents=True)
    options = chromium_options(profile)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
