"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`):
no port, no websocket, no browser package; JSON messages separated by NUL bytes on the
child's file descriptors 3 (commands in) and 4 (replies and events out)."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

BROWSERS = ("chromium", "google-chrome", "google-chrome-stable", "chromium-browser")
"""Debian's Chromium first (what `make chromium` installs); a hosted CI runner has Chrome."""


def _find_browser() -> Path:
    named = os.environ.get("CHROMIUM")
    if named:
        return Path(named)
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return Path(found)
    return Path("/usr/bin/chromium")


CHROMIUM = _find_browser()

FLAGS = (
    "--headless",
    # As root, the sandbox cannot start; the page is our own file.
    "--no-sandbox",
    "--disable-gpu",
    # The machine has no network: without these Chromium keeps trying to reach Google.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)


class ChromiumError(Exception):
    """The browser died, timed out, or answered a command with an error."""


class Page:
    """One tab, attached to in flattened mode so every command carries its session id."""

    def __init__(self, browser: Browser, session_id: str) -> None:
        self.browser = browser
        self.session_id = session_id

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        return self.browser.send(method, params, self.session_id)

    def navigate(self, url: str) -> None:
        """Open the URL and wait for its load event (images included)."""
        self.send("Page.enable")
        self.send("Page.navigate", url=url)
        self.browser.wait_for("Page.loadEventFired", self.session_id)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (DevTools is not bound by the
        page's Content-Security-Policy)."""
        reply = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in reply:
            raise ChromiumError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path, width: int) -> None:
        """A PNG of the whole page, `width` CSS pixels wide."""
        height = int(self.evaluate("document.documentElement.scrollHeight"))
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        data = self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))


class Browser:
    """A running Chromium and its protocol pipe."""

    def __init__(self, process: subprocess.Popen[bytes], commands: int, replies: int) -> None:
        self.process = process
        self.commands = commands
        self.replies = replies
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.deadline = time.monotonic() + 120

    def _read_message(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = self.deadline - time.monotonic()
            ready, _, _ = select.select([self.replies], [], [], max(left, 0))
            if not ready:
                raise ChromiumError("Chromium did not answer in time")
            chunk = os.read(self.replies, 1 << 16)
            if not chunk:
                raise ChromiumError(f"Chromium closed its pipe (exit {self.process.poll()})")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed

    def send(
        self, method: str, params: dict[str, Any] | None = None, session_id: str | None = None
    ) -> dict[str, Any]:
        self.next_id += 1
        command: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session_id is not None:
            command["sessionId"] = session_id
        os.write(self.commands, json.dumps(command).encode() + b"\0")
        while True:
            message = self._read_message()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise ChromiumError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str, session_id: str | None = None) -> dict[str, Any]:
        """The first event of this kind, received already or next."""
        while True:
            for event in self.events:
                if event["method"] == method and event.get("sessionId") == session_id:
                    self.events.remove(event)
                    return event
            message = self._read_message()
            if "method" in message:
                self.events.append(message)

    def new_page(self) -> Page:
        target = self.send("Target.createTarget", {"url": "about:blank"})
        attached = self.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        return Page(self, attached["sessionId"])


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


@contextmanager
def chromium(profile: Path, log: Path) -> Iterator[Browser]:
    """Start headless Chromium with a new empty profile; always stopped afterwards."""
    commands_read, commands_write = os.pipe()
    replies_read, replies_write = os.pipe()
    # The child's ends move above 9 first, so that putting them on 3 and 4 overwrites
    # neither (os.pipe may itself have given 3 or 4).
    commands_read, replies_write = (_above_nine(fd) for fd in (commands_read, replies_write))
    profile.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as log_file:
        # bash (dash takes no descriptor above 9) puts the pipe ends on the descriptors 3
        # and 4 that the protocol expects, and closes the originals.
        moves = f"3<&{commands_read} 4>&{replies_write} {commands_read}<&- {replies_write}>&-"
        process = subprocess.Popen(
            [
                "/bin/bash",
                "-c",
                f'exec "$@" {moves}',
                "sh",
                str(CHROMIUM),
                *FLAGS,
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            pass_fds=(commands_read, replies_write),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
        )
    os.close(commands_read)
    os.close(replies_write)
    browser = Browser(process, commands_write, replies_read)
    try:
        yield browser
    finally:
        with suppress(ChromiumError, OSError):
            browser.send("Browser.close")
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(commands_write)
        os.close(replies_read)
