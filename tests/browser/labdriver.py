"""JupyterLab on loopback driven by Chromium through Playwright: shared by tests and bench."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.ui.explorer import EXPLORER_CLASS  # the DOM class every Explorer carries
from tools.make_env import without_outer_make

ROOT = Path(__file__).resolve().parents[2]


def cache_dir() -> Path:
    """Files kept for a person, outside the (maybe read-only) checkout: ~/.cache/cnn-rnn-series."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "cnn-rnn-series"


# A failed browser test leaves a screenshot of the page here.
SCREENSHOTS = cache_dir() / "screenshots"

# Debian's packages; Playwright's own browser download does not work offline.
BROWSER_CANDIDATES = [
    "/usr/lib/chromium/chromium-headless-shell",
    "/usr/bin/chromium-headless-shell",
    "/usr/lib/chromium/chromium",
    "/usr/bin/chromium",
]
# Without the networking flags Chromium keeps calling home, which a closed network refuses.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--metrics-recording-only",
]
# Text a class sees when a widget or a cell fails.
FAILURE_TEXTS = ["Error displaying widget", "Loading widget", "model not found", "Traceback"]
LOOPBACK = ["127.0.0.1", "::1"]  # the only hosts these tests talk to


def find_browser() -> str | None:
    """Path of a Chromium the tests can drive ($SERIES_BROWSER alone when set), or None."""
    chosen = os.environ.get("SERIES_BROWSER")
    candidates = [chosen] if chosen else BROWSER_CANDIDATES
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def missing_browser_reason() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (make setup installs requirements-lock.txt)"
    if find_browser() is None:
        return (
            "no Chromium found ("
            + (os.environ.get("SERIES_BROWSER") or ", ".join(BROWSER_CANDIDATES))
            + "); as root `make test` installs Debian's chromium-headless-shell with apt-get; "
            "else install it (or chromium) yourself, or set SERIES_BROWSER to a Chromium binary"
        )
    return None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def writable_copy(source: Path, target: Path) -> None:
    """Copy a folder tree, user-writable whatever the source's modes (a read-only checkout)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_*", "__pycache__"))
    for folder, _, files in os.walk(target):
        os.chmod(folder, os.stat(folder).st_mode | stat.S_IRWXU)
        for name in files:
            path = os.path.join(folder, name)
            os.chmod(path, os.stat(path).st_mode | stat.S_IRUSR | stat.S_IWUSR)


def jupyter_env(home: Path) -> dict[str, str]:
    """The environment for a throw-away Jupyter: config, runtime and IPython dirs under home."""
    env = dict(os.environ)
    for name, sub in [
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("IPYTHONDIR", "ipython"),
        ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
    ]:
        (home / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(home / sub)
    # Every cell stays in the DOM, so every widget renders and can be found.
    settings = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No announcements or update checks (they would try the network).
    news = home / "config" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    env.pop("JUPYTER_PATH", None)
    return env


def wait_for_http(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    """Poll url until it answers 200; raise if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"no answer from {url.split('?')[0]} in {timeout:.0f} s")
        time.sleep(0.2)


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a server started in its own session, with its kernels."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_in_own_group(
    command: list[str], cwd: Path, env: dict[str, str], log: Path
) -> subprocess.Popen:
    """Start `command` in a session of its own (stop_process_group ends it and its kernels),
    its output written to `log`."""
    with open(log, "w") as out:
        return subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def jupyter_server_info(
    process: subprocess.Popen, env: dict[str, str], log: Path, timeout: float, what: str
) -> dict:
    """The jpserver-*.json the Jupyter server started by `process` (`what`, for messages)
    writes into env's JUPYTER_RUNTIME_DIR; raise, with its log, if it exits or takes too long."""
    runtime = Path(env["JUPYTER_RUNTIME_DIR"])
    deadline = time.monotonic() + timeout
    while not list(runtime.glob("jpserver-*.json")):
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited:\n{log.read_text()}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}'s server did not start:\n{log.read_text()}")
        time.sleep(0.2)
    time.sleep(0.2)  # the file is written in one go, but let it land
    return json.loads(next(runtime.glob("jpserver-*.json")).read_text())


@dataclass
class LabServer:
    """A running JupyterLab serving a temporary copy of the series."""

    process: subprocess.Popen
    port: int
    token: str
    root: Path
    log: Path

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def notebook_url(self, name: str) -> str:
        """URL opening notebooks/NAME in a fresh workspace, token included."""
        return f"{self.base_url}/lab/tree/notebooks/{name}?token={self.token}&reset"


@contextmanager
def lab_server(timeout: float = 90) -> Iterator[LabServer]:
    """JupyterLab on 127.0.0.1 (random port and token) over a temp copy of notebooks/."""
    with tempfile.TemporaryDirectory(prefix="series-lab-") as tmp:
        home = Path(tmp)
        root = home / "series"
        writable_copy(ROOT / "notebooks", root / "notebooks")
        if (ROOT / "figures").is_dir():  # notebooks may show ../figures/*.svg
            writable_copy(ROOT / "figures", root / "figures")
        if (ROOT / "data").is_dir():  # notebook 09 reads ../data/digits.csv.gz
            writable_copy(ROOT / "data", root / "data")
        port, token = free_port(), secrets.token_urlsafe(24)
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        log = home / "lab.log"
        process = start_in_own_group(command, root, jupyter_env(home), log)
        server = LabServer(process, port, token, root, log)
        try:
            wait_for_http(f"{server.base_url}/api/status?token={token}", timeout, process)
            yield server
        except BaseException:
            sys.stderr.write(log.read_text()[-4000:])
            raise
        finally:
            stop_process_group(process)


@contextmanager
def chromium(headless_path: str | None = None) -> Iterator[Any]:
    """A Playwright Chromium browser (Debian's binary, never a download)."""
    from playwright.sync_api import sync_playwright

    path = headless_path or find_browser()
    if path is None:
        raise RuntimeError(missing_browser_reason())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# JavaScript run in the page (window.jupyterapp exists thanks to expose_app_in_browser;
# window.seriesPanel is the notebook that open_notebook opened).
JS_KERNEL_IDLE = """() => {
  const panel = window.seriesPanel;
  const kernel = panel && panel.sessionContext && panel.sessionContext.session
    && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle' && kernel.connectionStatus === 'connected';
}"""

JS_RUN_ALL = "async () => await window.jupyterapp.commands.execute('notebook:run-all-cells')"

JS_CELLS = """() => window.seriesPanel.content.widgets.map(cell => ({
  type: cell.model.type,
  tags: cell.model.getMetadata('tags') || [],
  count: cell.model.type === 'code' ? cell.model.executionCount : null,
  text: cell.model.type === 'code' && cell.outputArea ? cell.outputArea.node.innerText : '',
}))"""

JS_EXPLORER_IDS = f"""() => [...window.seriesPanel.node.querySelectorAll('.{EXPLORER_CLASS}')].map(
  el => [...el.classList].find(c => c.startsWith('{EXPLORER_CLASS}-')).slice(
    '{EXPLORER_CLASS}-'.length))"""

JS_KERNEL_EXECUTE = """async (code) => {
  const kernel = window.seriesPanel.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = msg => {
    if (msg.header.msg_type === 'stream') out += msg.content.text;
    if (msg.header.msg_type === 'error') out += 'KERNEL-ERROR ' + msg.content.evalue;
  };
  await future.done;
  return out;
}"""

# The view's HTML as shown, and `expected` as this browser parses and serializes it.
JS_VIEW = f"""([id, expected]) => {{
  const box = document.querySelector('.{EXPLORER_CLASS}-' + id);
  if (!box) return null;
  const content = box.lastElementChild.querySelector('.widget-html-content');
  const parsed = document.createElement('div');
  parsed.innerHTML = expected === null ? '' : expected;
  const plain = content.cloneNode(true);
  plain.querySelectorAll('mjx-container, mjx-assistive-mml').forEach(m => m.remove());
  return {{shown: content.innerHTML, want: parsed.innerHTML, text: plain.textContent,
           wantText: parsed.textContent, math: !!content.querySelector('mjx-container')}};
}}"""

# Run in the kernel: the explorer's control values and what its pure function returns now.
PROBE = """
def __series_probe(model_id):
    import json
    from ipywidgets.widgets.widget import _instances
    from helpers.ui.explorer import safe_render
    box = _instances.get(model_id)
    values = box.values()
    try:
        exact = json.loads(json.dumps(values)) == values
    except (TypeError, ValueError):
        exact = False
    render = getattr(box.render, "__wrapped__", box.render)
    # a partial carries data made when the explorer was built: its function is named, but it
    # cannot be called again by name; a bound method cannot be imported: "<...>" says so
    data = getattr(render, "keywords", None) is not None
    render = getattr(render, "func", render)
    name = "<bound>" if hasattr(render, "__self__") else getattr(render, "__qualname__", "<?>")
    print(json.dumps({
        "values": values if exact else {k: repr(v) for k, v in values.items()},
        "exact": exact and not data,
        "render": [getattr(render, "__module__", "") or "", name],
        "expected": safe_render(box.render, **values),
        "shown": box.view.value,
    }))
__series_probe(%r)
del __series_probe
"""


def open_lab(page: Any, server: LabServer, timeout_s: float = 90) -> None:
    """Load JupyterLab (fresh workspace) in the page and wait until the app has started."""
    page.goto(f"{server.base_url}/lab?token={server.token}&reset", timeout=timeout_s * 1000)
    page.wait_for_function(
        "() => window.jupyterapp && window.jupyterapp.commands.hasCommand('docmanager:open')",
        timeout=timeout_s * 1000,
        polling=200,
    )


def open_notebook(page: Any, name: str, timeout_s: float = 90) -> None:
    """Open notebooks/NAME in the loaded JupyterLab and wait until its kernel is idle."""
    page.evaluate(
        """async (path) => {
          const panel = await window.jupyterapp.commands.execute('docmanager:open', {path});
          window.seriesPanel = panel;  // the notebook every later call talks to
          window.jupyterapp.shell.activateById(panel.id);
        }""",
        f"notebooks/{name}",
    )
    page.wait_for_function(JS_KERNEL_IDLE, timeout=timeout_s * 1000, polling=200)


def close_notebooks(page: Any) -> None:
    """Shut down every kernel and close every tab, leaving the page ready for the next one."""
    page.evaluate(
        """async () => {
          const app = window.jupyterapp;
          await app.serviceManager.sessions.refreshRunning();
          const running = [...app.serviceManager.sessions.running()];
          await Promise.all(running.map(s => app.serviceManager.sessions.shutdown(s.id)));
          // dispose rather than close: a changed notebook would ask to be saved
          for (const widget of [...app.shell.widgets('main')]) widget.dispose();
          window.seriesPanel = null;
        }"""
    )


def run_all(page: Any, timeout_s: float = 300) -> None:
    """Run every cell (as Run > Run All Cells) and wait until the kernel is idle again."""
    page.evaluate(JS_RUN_ALL)
    page.wait_for_function(JS_KERNEL_IDLE, timeout=timeout_s * 1000, polling=200)


def cells(page: Any) -> list[dict]:
    """Each cell's type, tags, execution count and output text."""
    return page.evaluate(JS_CELLS)


def wait_for_widgets(page: Any, timeout_s: float = 30) -> None:
    """Wait until no output still reads 'Loading widget' (views render asynchronously)."""
    page.wait_for_function(
        """() => ![...document.querySelectorAll('.jp-OutputArea-output')]
                 .some(el => el.innerText.includes('Loading widget'))""",
        timeout=timeout_s * 1000,
        polling=200,
    )


def explorer_ids(page: Any) -> list[str]:
    """Model ids of every Explorer shown in the page, in page order."""
    return page.evaluate(JS_EXPLORER_IDS)


def kernel_execute(page: Any, code: str) -> str:
    """Run code in the notebook's kernel (not in a cell) and return what it printed."""
    return page.evaluate(JS_KERNEL_EXECUTE, code)


def probe(page: Any, model_id: str) -> dict:
    """The kernel's view of one Explorer: values, render function, expected and shown HTML."""
    out = kernel_execute(page, PROBE % model_id)
    if "KERNEL-ERROR" in out or not out.strip():
        raise AssertionError(f"probe of explorer {model_id} failed: {out!r}")
    return json.loads(out.strip().splitlines()[-1])


def view(page: Any, model_id: str, expected: str | None = None) -> dict:
    """The explorer's view in the DOM, and `expected` normalized by the browser's parser."""
    return page.evaluate(JS_VIEW, [model_id, expected])


def normalize_space(text: str) -> str:
    """Collapse runs of white space (for comparing text content)."""
    return re.sub(r"\s+", " ", text).strip()


def view_matches(page: Any, model_id: str, expected: str) -> bool:
    """True when the DOM view shows exactly `expected` (text only where MathJax typeset it)."""
    shown = view(page, model_id, expected)
    if shown is None:
        return False
    if shown["math"]:  # MathJax replaced $...$ in the DOM: compare the text around it
        want = re.sub(r"\$\$.*?\$\$|\$.*?\$|\\\(.*?\\\)", "", shown["wantText"], flags=re.S)
        return normalize_space(shown["text"]) == normalize_space(want)
    return shown["shown"] == shown["want"]


# The controls a test can move, in the order it tries them, and how.
CONTROL_SELECTORS = {
    "slider": ".noUi-handle",
    "text": ".widget-text input",
    "textarea": ".widget-textarea textarea",
    "dropdown": ".widget-dropdown select",
    "checkbox": ".widget-checkbox input[type=checkbox]",
    "toggle": (
        ".widget-toggle-buttons button:not(.mod-active), .widget-radio-box input:not(:checked)"
    ),
    "button": ".widget-toggle-button",
}


JS_MARK_CONTROLS = f"""([id, selectors]) => {{
  const box = document.querySelector('.{EXPLORER_CLASS}-' + id);
  const children = [...box.children].slice(0, -1);  // the last child is the view
  const marked = box.querySelectorAll('[data-series-control]');
  marked.forEach(e => e.removeAttribute('data-series-control'));
  const movable = element => {{
    if (element.disabled || element.closest('[disabled]')) return false;
    if (element.matches('select')) return element.options.length > 1;
    if (element.matches('.noUi-handle'))  // a range of one value cannot move
      return element.getAttribute('aria-valuemin') !== element.getAttribute('aria-valuemax');
    return true;
  }};
  const found = [];
  children.forEach((child, index) => {{
    for (const [kind, selector] of selectors) {{
      const element = child.matches(selector) ? child : child.querySelector(selector);
      if (element) {{
        if (movable(element)) {{
          element.setAttribute('data-series-control', id + '-' + index);
          found.push([index, kind]);
        }}
        break;
      }}
    }}
  }});
  return found;
}}"""

# Controls anywhere in a notebook's widgets that are not part of an Explorer.
JS_STRAY_CONTROLS = f"""(selectors) => [...window.seriesPanel.node.querySelectorAll(
    selectors.join(', '))].filter(el => !el.closest('.{EXPLORER_CLASS}')).map(
    el => el.closest('.jupyter-widgets').className)"""


def movable_controls(page: Any, model_id: str) -> dict[int, tuple[str, Any]]:
    """{position among the explorer's children: (kind, element)} for every control that a
    keyboard or a click can move now."""
    found = page.evaluate(JS_MARK_CONTROLS, [model_id, list(CONTROL_SELECTORS.items())])
    return {
        index: (kind, page.locator(f"[data-series-control='{model_id}-{index}']"))
        for index, kind in found
    }


def stray_controls(page: Any) -> list[str]:
    """Classes of the interactive widgets in the notebook that no Explorer holds."""
    return page.evaluate(JS_STRAY_CONTROLS, list(CONTROL_SELECTORS.values()))


def move_control(kind: str, element: Any, step: int = 1) -> str:
    """Move one control by keyboard or click, as a student would; returns what was done."""
    if kind == "slider":
        now = float(element.get_attribute("aria-valuenow"))
        top = float(element.get_attribute("aria-valuemax"))
        key = "ArrowLeft" if now >= top or step < 0 else "ArrowRight"
        element.focus()
        element.press(key)
        return f"slider {key}"
    if kind in ("text", "textarea"):
        old = element.input_value()
        new = (old + " cell") if step > 0 else old.rsplit(" ", 1)[0]
        element.fill(new)
        element.press("Enter" if kind == "text" else "Tab")
        return f"typed {new!r}"
    if kind == "dropdown":
        options = element.locator("option")
        current = element.evaluate("el => el.selectedIndex")
        target = (current + 1) % options.count()
        element.select_option(index=target)
        return f"picked option {target}"
    if kind in ("checkbox", "toggle", "button"):
        element.click()
        return "clicked"
    raise ValueError(f"kind: no way to move a {kind!r} control")


def wait_for_move(page: Any, model_id: str, before: dict, timeout_s: float = 20) -> dict:
    """Poll the kernel until the explorer's values changed; return the new probe."""
    deadline = time.monotonic() + timeout_s
    while True:
        after = probe(page, model_id)
        if after["values"] != before["values"] and after["shown"] == after["expected"]:
            return after
        if time.monotonic() > deadline:
            raise AssertionError(
                f"explorer {model_id}: after the move the kernel holds {after['values']} "
                f"(before: {before['values']}); its view is "
                + ("up to date" if after["shown"] == after["expected"] else "stale")
            )
        time.sleep(0.1)


def pure_function_html(state: dict) -> str | None:
    """The render function's HTML for probed values, computed here, outside the kernel (None
    when the values do not survive JSON or the function cannot be imported by name)."""
    import importlib

    from helpers.ui.explorer import safe_render

    module, qualname = state["render"]
    if not state["exact"] or "<" in qualname:
        return None
    render: Any = importlib.import_module(module)
    for part in qualname.split("."):
        render = getattr(render, part)
    return safe_render(render, **state["values"])


# ---- Live slides: `make present` and the jupyterlab-slideshow deck ----------------------------

PROJECTOR = {"width": 1280, "height": 720}  # the screen every slide must fit
# What `make present` needs from the checkout, copied so that autosave writes into the copy.
PRESENT_FILES = ["Makefile", "requirements-lock.txt", "pyproject.toml"]
PRESENT_FOLDERS = ["notebooks", "figures", "tools", "jupyter", "data"]


@dataclass
class PresentServer:
    """A running `make present`: the server as LabServer, the URL make printed, its settings."""

    server: LabServer
    url: str
    settings_dir: Path
    printed: str


@contextmanager
def make_present(nb: str, timeout: float = 90, source: Path = ROOT) -> Iterator[PresentServer]:
    """`make present NB=nb` run in a temporary copy of the checkout `source` (this environment's
    venv, set-up not redone, no browser opened); yields once the server answers."""
    if shutil.which("make") is None:
        raise RuntimeError("make is not installed")
    with tempfile.TemporaryDirectory(prefix="series-present-") as tmp:
        home = Path(tmp)
        root = home / "series"
        for folder in PRESENT_FOLDERS:
            if (source / folder).is_dir():
                writable_copy(source / folder, root / folder)
        for name in PRESENT_FILES:
            shutil.copy(source / name, root / name)
        settings = home / "user-settings"
        own = ("JUPYTER_TOKEN", "JUPYTERLAB_SETTINGS_DIR")  # make present sets its own
        env = without_outer_make(jupyter_env(home), drop=own)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        venv = Path(sys.prefix)
        command = [
            "make",
            "-s",
            "--no-print-directory",
            "-o",
            str(venv / ".installed"),
            "present",
            f"NB={nb}",
            f"VENV={venv}",
            f"BIN={Path(sys.executable).parent}",
            f"LAB_SETTINGS={settings}",
            "LAB_ARGS=--no-browser --LabApp.expose_app_in_browser=True",
        ]
        log = home / "make-present.out"
        process = start_in_own_group(command, root, env, log)
        try:
            info = jupyter_server_info(process, env, log, timeout, "make present")
            server = LabServer(process, info["port"], info["token"], root, log)
            wait_for_http(f"{server.base_url}/api/status?token={server.token}", timeout, process)
            printed = log.read_text(errors="replace")
            urls = re.findall(r"https?://\S+", printed)
            if len(urls) != 1:
                raise AssertionError(f"make present printed {len(urls)} URLs:\n{printed}")
            yield PresentServer(server, urls[0], settings, printed)
        finally:
            stop_process_group(process)


JS_DECK_STATE = f"""() => {{
  const panel = window.seriesPanel;
  const nb = panel.content;
  const shown = nb.widgets.map((cell, index) => [cell, index]).filter(
    ([cell]) => cell.node.classList.contains('jp-deck-mod-onscreen')
      && cell.node.classList.contains('jp-deck-mod-visible'));
  const box = el => {{ const r = el.getBoundingClientRect();
    return {{top: r.top, bottom: r.bottom, left: r.left, right: r.right}}; }};
  // what a class sees: text, or a picture (img, svg, canvas) with an area
  const visible = shown.some(([cell]) => cell.node.innerText.trim().length > 0
    || [...cell.node.querySelectorAll('img, svg, canvas')].some(
      el => el.getBoundingClientRect().width * el.getBoundingClientRect().height > 100));
  // anything inside the slide that would need scrolling to be seen
  const scrolled = [];
  for (const [cell, index] of shown) {{
    for (const el of [cell.node, ...cell.node.querySelectorAll('*')]) {{
      const style = getComputedStyle(el);
      // a few pixels over (a MathJax bracket) hide nothing
      const over = (el.scrollHeight > el.clientHeight + 8 && /auto|scroll/.test(style.overflowY))
        || (el.scrollWidth > el.clientWidth + 8 && /auto|scroll/.test(style.overflowX));
      if (over && el.clientHeight > 0) scrolled.push(index + ':' + (el.className || el.tagName));
    }}
  }}
  return {{
    presenting: document.body.dataset.jpDeckMode === 'presenting',
    active: nb.activeCellIndex,
    cells: shown.map(([, index]) => index),
    boxes: shown.map(([cell]) => box(cell.node)),
    visible,
    scrolled,
    explorer: shown.some(([cell]) => !!cell.node.querySelector('.{EXPLORER_CLASS}')),
    width: window.innerWidth,
    height: window.innerHeight,
  }};
}}"""

# One deck step as a lecturer's Space does it; resolves with the milliseconds until the new
# active cell is on screen and a frame has been painted (null when the deck did not move).
JS_DECK_STEP = """async ([direction, alternate]) => {
  const nb = window.seriesPanel.content;
  const before = nb.activeCellIndex;
  const t0 = performance.now();
  window.jupyterapp.commands.execute('deck:go', {direction, alternate});
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  while (performance.now() - t0 < 10000) {
    await frame();
    const cell = nb.widgets[nb.activeCellIndex];
    if (nb.activeCellIndex !== before && cell.node.classList.contains('jp-deck-mod-onscreen')
        && cell.node.classList.contains('jp-deck-mod-visible')) {
      await frame();
      return performance.now() - t0;
    }
  }
  return null;
}"""

FORWARD = ("down", "forward")  # Space: next fragment, sub-slide or slide
BACK = ("up", "back")  # Shift+Space


def open_present(page: Any, url: str, timeout_s: float = 90) -> None:
    """Open the URL `make present` printed; wait until the deck presents the notebook and its
    kernel is idle (window.seriesPanel is that notebook)."""
    page.goto(url, timeout=timeout_s * 1000)
    page.wait_for_function(
        """() => window.jupyterapp && document.body.dataset.jpDeckMode === 'presenting'
           && window.jupyterapp.shell.currentWidget
           && window.jupyterapp.shell.currentWidget.sessionContext""",
        timeout=timeout_s * 1000,
        polling=200,
    )
    page.evaluate("() => { window.seriesPanel = window.jupyterapp.shell.currentWidget; }")
    page.wait_for_function(JS_KERNEL_IDLE, timeout=timeout_s * 1000, polling=200)


def deck_state(page: Any) -> dict:
    """The deck now: presenting, active cell, cells shown, their boxes, blank or not, fit."""
    return page.evaluate(JS_DECK_STATE)


def deck_step(page: Any, direction: tuple[str, str] = FORWARD) -> float | None:
    """One deck step (Space or Shift+Space); milliseconds until painted, None at the end."""
    return page.evaluate(JS_DECK_STEP, list(direction))


def deck_to_start(page: Any) -> dict:
    """Make the first cell active (the title slide) and return the deck's state."""
    page.evaluate("() => { window.seriesPanel.content.activeCellIndex = 0; }")
    page.wait_for_function(
        "() => window.seriesPanel.content.widgets[0].node.classList"
        ".contains('jp-deck-mod-visible')",
        timeout=10_000,
        polling=50,
    )
    return deck_state(page)


def slide_problems(state: dict) -> list[str]:
    """Why a slide fails a projector (blank, or not fitting the screen); [] when it is fine."""
    problems = []
    if not state["presenting"]:
        problems.append("the deck is not presenting")
    if not state["cells"] or not state["visible"]:
        problems.append("blank: no visible text or picture")
    for index, box in zip(state["cells"], state["boxes"], strict=True):
        if box["top"] < -1 or box["bottom"] > state["height"] + 1:
            problems.append(f"cell {index} runs off the screen vertically ({box})")
        if box["left"] < -1 or box["right"] > state["width"] + 1:
            problems.append(f"cell {index} runs off the screen horizontally ({box})")
    problems += [f"needs scrolling: {where}" for where in state["scrolled"]]
    return problems


# Timestamps (performance.now()) of pointer events, and of changes of one explorer's view.
JS_WATCH_VIEW = f"""(id) => {{
  const box = document.querySelector('.{EXPLORER_CLASS}-' + id);
  const view = box.lastElementChild;
  window.seriesPointer = [];
  window.seriesChanges = [];
  if (window.seriesObserver) window.seriesObserver.disconnect();
  if (!window.seriesPointerWatched) {{
    window.seriesPointerWatched = true;
    for (const type of ['pointerdown', 'pointermove', 'pointerup']) {{
      document.addEventListener(type, e => window.seriesPointer.push(e.timeStamp), true);
    }}
  }}
  window.seriesObserver = new MutationObserver(() => window.seriesChanges.push(performance.now()));
  window.seriesObserver.observe(view, {{subtree: true, childList: true, characterData: true}});
}}"""

JS_VIEW_LATENCY = """() => {
  const change = window.seriesChanges[0];
  if (change === undefined) return null;
  const before = window.seriesPointer.filter(t => t <= change);
  return before.length ? change - Math.max(...before) : null;
}"""


def drag_slider(page: Any, handle: Any, dx: float) -> None:
    """Drag a noUi slider handle dx pixels with the mouse, in one move, as a lecturer would."""
    box = handle.bounding_box()
    if box is None:
        raise AssertionError("the slider handle is not on the screen")
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx, y, steps=1)
    page.mouse.up()


def slider_drag_latency(page: Any, model_id: str, handle: Any, dx: float) -> float | None:
    """Drag the handle and return the ms from the pointer event that moved the value to the
    first change of the explorer's view in the DOM (None: the view did not change in 10 s)."""
    page.evaluate(JS_WATCH_VIEW, model_id)
    drag_slider(page, handle, dx)
    deadline = time.monotonic() + 10
    while page.evaluate("() => window.seriesChanges.length") == 0:
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)
    return page.evaluate(JS_VIEW_LATENCY)


JS_CELL_KINDS = """() => window.seriesPanel.content.widgets.map(cell => ({
  type: cell.model.type,
  slide: (cell.model.getMetadata('slideshow') || {}).slide_type ?? null,
  count: cell.model.type === 'code' ? cell.model.executionCount : null,
  source: cell.model.sharedModel.getSource(),
}))"""

JS_EXPLORER_ON_SLIDE = f"""() => {{
  const box = document.querySelector('.jp-deck-mod-onscreen .{EXPLORER_CLASS}');
  return box && [...box.classList].find(c => c.startsWith('{EXPLORER_CLASS}-')).slice(
    '{EXPLORER_CLASS}-'.length);
}}"""

JS_FOCUS_ACTIVE = "() => window.seriesPanel.content.activeCell.node.focus()"

HIDDEN_SLIDE_TYPES = {"skip", "notes"}  # cells a deck never shows


def screenshot(page: Any, name: str) -> str:
    """A screenshot of the screen (the slide on the projector) into the screenshots folder."""
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = os.path.join(SCREENSHOTS, re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
    page.screenshot(path=path)
    return path


def wait_for_view(page: Any, model_id: str, expected: str, timeout_s: float = 20) -> None:
    """Wait until the DOM view shows `expected`; fail with both texts if it never does."""
    deadline = time.monotonic() + timeout_s
    while not view_matches(page, model_id, expected):
        if time.monotonic() > deadline:
            shown = view(page, model_id, expected)
            raise AssertionError(
                f"explorer {model_id}: the page shows\n{shown and shown['shown']}\n"
                f"but the pure function gives\n{shown and shown['want']}"
            )
        time.sleep(0.05)


def drag_explorer_slider(page: Any, model_id: str, right: bool = True) -> float | None:
    """Drag the explorer's first slider with the mouse (right, or left; the other way at an
    end); check the view then equals the pure function's HTML for the new value; return the
    pointer-to-DOM milliseconds."""
    before = probe(page, model_id)
    if before["shown"] != before["expected"]:
        raise AssertionError(f"explorer {model_id} is stale before the drag")
    sliders = [el for kind, el in movable_controls(page, model_id).values() if kind == "slider"]
    if not sliders:
        raise AssertionError(f"explorer {model_id} has no slider")
    handle = sliders[0]
    now = float(handle.get_attribute("aria-valuenow"))
    if now >= float(handle.get_attribute("aria-valuemax")):
        right = False
    elif now <= float(handle.get_attribute("aria-valuemin")):
        right = True
    latency = slider_drag_latency(page, model_id, handle, 60 if right else -60)
    after = wait_for_move(page, model_id, before)
    independent = pure_function_html(after)
    if independent is not None and after["expected"] != independent:
        raise AssertionError(f"explorer {model_id}: kernel and test differ after the drag")
    wait_for_view(page, model_id, after["expected"])
    return latency


@dataclass
class DeckWalk:
    """What stepping through a whole deck found."""

    steps_ms: list[float]  # each step: command to painted frame
    slider_ms: list[float | None]  # each drag on the explorer's slide: pointer to DOM
    failures: list[tuple[int, str, str]]  # (step, why a slide fails a projector, screenshot)
    shown: set[int]  # cells that appeared on some slide
    expected: set[int]  # cells a deck should show (not skip or notes)
    ran_code: bool  # a code cell was run from its slide
    explorer_step: int | None  # the step at which the explorer's slide came


def walk_deck(page: Any, name: str, drags: int = 1, at_explorer: Any = None) -> DeckWalk:
    """From the title, step the deck (as Space) to the end: check every slide, run the first
    code cell from its slide (Ctrl+Enter), drag the explorer's slider `drags` times on its
    slide (then call at_explorer(page) if given)."""
    kinds = page.evaluate(JS_CELL_KINDS)
    state = deck_to_start(page)
    walk = DeckWalk([], [], [], set(), set(), False, None)
    walk.expected = {i for i, k in enumerate(kinds) if k["slide"] not in HIDDEN_SLIDE_TYPES}
    step = 0
    while True:
        walk.shown |= set(state["cells"])
        problems = slide_problems(state)
        if problems:
            path = screenshot(page, f"present_{name}_step{step:02d}")
            walk.failures += [(step, problem, path) for problem in problems]
        if not walk.ran_code and kinds[state["active"]]["type"] == "code" and not state["explorer"]:
            count = page.evaluate(
                "() => window.seriesPanel.content.activeCell.model.executionCount"
            )
            page.evaluate(JS_FOCUS_ACTIVE)
            page.keyboard.press("Control+Enter")
            page.wait_for_function(
                "(n) => window.seriesPanel.content.activeCell.model.executionCount > n", arg=count
            )
            walk.ran_code = deck_state(page)["active"] == state["active"]
        if state["explorer"] and walk.explorer_step is None:
            walk.explorer_step = step
            model_id = page.evaluate(JS_EXPLORER_ON_SLIDE)
            for index in range(drags):  # right, left, right, ...: the slide keeps its size
                walk.slider_ms.append(drag_explorer_slider(page, model_id, index % 2 == 0))
            moved = deck_state(page)
            if slide_problems(moved):
                path = screenshot(page, f"present_{name}_explorer_moved")
                walk.failures += [
                    (step, f"after the drag: {p}", path) for p in slide_problems(moved)
                ]
            if at_explorer is not None:
                at_explorer(page)
        ms = deck_step(page)
        if ms is None:
            return walk
        walk.steps_ms.append(ms)
        step += 1
        state = deck_state(page)
