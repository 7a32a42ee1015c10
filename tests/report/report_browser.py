"""Load a page in a real headless Chromium and inspect it through the DevTools protocol.

Chromium is driven over ``--remote-debugging-pipe`` (file descriptors 3 and 4, messages
separated by NUL bytes), so no websocket library or port is needed. The page's console errors,
uncaught exceptions, log errors (CSP violations, failed loads) and JavaScript dialogs (an
``alert`` from an injection) are collected while it loads.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--remote-debugging-pipe",
]
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell")


def find_chromium() -> str | None:
    explicit = os.environ.get("NNDOCTOR_CHROMIUM")
    if explicit:
        return explicit
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserUnavailable(RuntimeError):
    """Chromium is missing or cannot start here (the test skips with this reason)."""


@dataclass
class PageReport:
    """What happened while a page loaded, and the value of a probe evaluated in it."""

    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    probe: Any = None


class Chromium:
    """One headless Chromium process; use as a context manager."""

    def __init__(self, binary: str, timeout: float = 30.0) -> None:
        self.binary = binary
        self.timeout = timeout
        self._buf = b""
        self._id = 0
        self._events: list[dict] = []

    def __enter__(self) -> Chromium:
        self._profile = tempfile.mkdtemp(prefix="nndoctor-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def child_fds() -> None:  # Chromium reads commands on fd 3 and writes replies on fd 4
            a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
            os.dup2(a, 3)
            os.dup2(b, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        try:
            self._proc = subprocess.Popen(
                [self.binary, *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=False,
                preexec_fn=child_fds,
            )
        except OSError as exc:
            raise BrowserUnavailable(f"cannot start {self.binary}: {exc}") from exc
        finally:
            os.close(to_chrome_r)
            os.close(from_chrome_w)
        try:
            self.call("Browser.getVersion")
        except (TimeoutError, EOFError, BrokenPipeError) as exc:
            self.__exit__()
            raise BrowserUnavailable(
                f"{self.binary} started but does not answer on the DevTools pipe: {exc!r}"
            ) from exc
        return self

    def __exit__(self, *exc: Any) -> None:
        with contextlib.suppress(OSError):
            self.send("Browser.close")
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)

    # ------------------------------------------------------------ protocol
    def send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        return self._id

    def receive(self, deadline: float) -> dict:
        while b"\0" not in self._buf:
            ready, _, _ = select.select([self._from_chrome], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise TimeoutError("no message from Chromium in time")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send a command and return its result; events that arrive meanwhile are kept."""
        want = self.send(method, params, session)
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self.receive(deadline)
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self._events.append(msg)

    # ------------------------------------------------------------ pages
    def load(self, path: Path, probe: str) -> PageReport:
        """Open ``path``, wait for its load event, collect errors, then evaluate ``probe``."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime.enable", "Log.enable", "Page.enable"):
            self.call(domain, session=session)
        self._events.clear()
        self.call("Page.navigate", {"url": Path(path).resolve().as_uri()}, session=session)
        report = PageReport()
        deadline = time.monotonic() + self.timeout
        loaded = False
        while not loaded:
            events, self._events = self._events, []
            if not events:
                events = [self.receive(deadline)]
            for ev in events:
                loaded |= self._note(ev, report, session)
        # Late console messages (after load) still count: give the page a moment, then drain.
        self.call(
            "Runtime.evaluate",
            {"expression": "new Promise(r => setTimeout(r, 200))", "awaitPromise": True},
            session=session,
        )
        value = self.call(
            "Runtime.evaluate", {"expression": probe, "returnByValue": True, "awaitPromise": True}, session=session
        )
        if "exceptionDetails" in value:
            raise RuntimeError(f"probe failed: {value['exceptionDetails']}")
        report.probe = value["result"].get("value")
        for ev in self._events:
            self._note(ev, report, session)
        self._events.clear()
        self.call("Target.closeTarget", {"targetId": target})
        return report

    def _note(self, ev: dict, report: PageReport, session: str) -> bool:
        method, params = ev.get("method"), ev.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            report.console_errors.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            report.console_errors.append(
                f"uncaught: {details.get('text')} {details.get('exception', {}).get('description')}"
            )
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            report.console_errors.append(f"log: {params['entry'].get('text')}")
        elif method == "Page.javascriptDialogOpening":
            report.dialogs.append(params.get("message", ""))
            self.send("Page.handleJavaScriptDialog", {"accept": True}, session=session)
        return method == "Page.loadEventFired"


#: Evaluated in the loaded report: findings, every image decoded and measured, scripts in the DOM.
PROBE = r"""
(() => {
  const images = [...document.images].map(img => {
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
    let inked = 0, colors = new Set(), total = 0;
    if (img.naturalWidth > 0) {
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < d.length; i += 4 * 5) {
        total++;
        if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) inked++;
        colors.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
    }
    const box = img.getBoundingClientRect();
    return {plot: img.closest('figure') ? img.closest('figure').dataset.plot : null, complete: img.complete,
            width: img.naturalWidth, height: img.naturalHeight, shownWidth: box.width,
            inked: total ? inked / total : 0, colors: colors.size};
  });
  const findings = [...document.querySelectorAll('article.finding')].map(a => ({
    id: a.dataset.id, severity: a.dataset.severity, text: a.innerText}));
  return {title: document.title, text: document.body.innerText, scripts: document.scripts.length,
          handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes].some(
            at => at.name.startsWith('on'))).length,
          images, findings};
})()
"""
