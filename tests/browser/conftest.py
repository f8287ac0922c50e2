"""Fixtures for the real-browser tests: one JupyterLab and one Chromium per test session."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from labdriver import (
    SCREENSHOTS,
    LabServer,
    chromium,
    close_notebooks,
    find_browser,
    lab_server,
    missing_browser_reason,
    open_lab,
)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    """Keep each phase's report on the item, so fixtures know whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser_path() -> str:
    """Debian's Chromium; skip with the reason when there is none (fail under CI=true)."""
    reason = missing_browser_reason()
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
        print(f"\nbrowser tests skipped: {reason}")
        pytest.skip(reason)
    path = find_browser()
    assert path is not None
    return path


@pytest.fixture(scope="session")
def lab(browser_path: str) -> Iterator[LabServer]:
    """JupyterLab on 127.0.0.1 with a random port and token, serving a temp copy of notebooks/."""
    with lab_server() as server:
        yield server


@pytest.fixture(scope="session")
def browser(browser_path: str) -> Iterator[Any]:
    """A headless Chromium driven by Playwright."""
    with chromium(browser_path) as launched:
        yield launched


@pytest.fixture(scope="session")
def lab_page(browser: Any, lab: LabServer) -> Iterator[Any]:
    """One page with JupyterLab loaded, shared by the tests (loading it costs seconds)."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    open_lab(page, lab)
    yield page
    context.close()


@pytest.fixture
def page(lab_page: Any, lab: LabServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    """The JupyterLab page, its tabs and kernels closed afterwards; a screenshot on failure."""
    if lab_page.is_closed():
        pytest.fail("the JupyterLab page crashed in an earlier test", pytrace=False)
    yield lab_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name) + ".png"
        path = os.path.join(SCREENSHOTS, name)
        try:
            lab_page.screenshot(path=path, full_page=True)
            print(f"\nscreenshot: {path}")
        except Exception as error:  # a crashed page must not hide the real failure
            print(f"\nno screenshot ({error})")
    try:
        close_notebooks(lab_page)
    except Exception:  # noqa: BLE001 - reload a page left in a bad state
        open_lab(lab_page, lab)
