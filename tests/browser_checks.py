"""Watching a Playwright page for what must never happen in the console: a Content-Security-Policy violation
(an inline script or handler the policy refused, a resource from elsewhere), a JavaScript error, or a console
error (Chromium reports refused inline scripts there as "Refused to execute inline script …")."""

from __future__ import annotations

_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = " @" + e.sourceFile + ":" + e.lineNumber;
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + where);
});
"""


def watch(page) -> list[str]:
    """Start collecting the page's problems; the returned list grows as they happen (plus :func:`violations`)."""
    problems: list[str] = []
    page.add_init_script(_LISTENER)
    page.on("pageerror", lambda error: problems.append(f"JS error on {page.url}: {error}"))
    page.on("console", lambda msg: _console(problems, page, msg))
    return problems


def violations(page) -> list[str]:
    return page.evaluate("() => window.__cspViolations || []")


def _console(problems: list[str], page, msg) -> None:
    # The browser's own favicon probe is not the page's doing.
    if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico"):
        problems.append(f"console on {page.url}: {msg.text} ({msg.location.get('url')})")


_INLINE_CODE = """() => {
  const found = [];
  document.querySelectorAll("*").forEach(el => {
    for (const attr of el.attributes) if (attr.name.startsWith("on")) found.push(el.tagName + " " + attr.name);
  });
  document.querySelectorAll("script:not([src])").forEach(el => {
    if (el.type !== "application/json" && !el.nonce) found.push("inline <script> " + el.textContent.slice(0, 60));
  });
  document.querySelectorAll("a[href^='javascript:']").forEach(el => found.push("javascript: link"));
  return found;
}"""


def inline_code(page) -> list[str]:
    """Inline handlers (onclick=…), inline scripts without the page's nonce and javascript: links in the page.
    Chromium reports a refused handler only when its event fires, so they are looked for in the DOM as well."""
    return page.evaluate(_INLINE_CODE)


def close_context(context, live_server, seconds: float = 15.0) -> None:
    """Close a browser context and let the live server finish the requests it left in flight.

    The test database is flushed right after the test; a request thread still inside a transaction (a map tile, a
    poll) would deadlock against the flush's TRUNCATE, and the next test would find the last one's rows. Requests the
    browser sent just before closing may still wait in the listening socket's backlog and be accepted afterwards, so
    this waits until no request thread has been alive for a quarter of a second, not only for those alive now."""
    import time

    context.close()
    httpd = getattr(live_server.thread, "httpd", None)
    deadline = time.monotonic() + seconds
    quiet_since = None
    while time.monotonic() < deadline:
        alive = [t for t in list(getattr(httpd, "_threads", None) or []) if t.is_alive()]
        if alive:
            quiet_since = None
            alive[0].join(min(0.5, max(0.0, deadline - time.monotonic())))
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 0.25:
            return
        else:
            time.sleep(0.05)
