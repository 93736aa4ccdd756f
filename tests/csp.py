"""Browser pages that fail the test on a Content-Security-Policy violation (the policy is
set by forum/middleware.py). The ``page`` and ``phone_page`` fixtures of tests/conftest.py are
made here, so every browser test runs under the guard."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

# Every page the browser tests open reports what the Content-Security-Policy blocks
# (forum/middleware.py): the browser's securitypolicyviolation events, and its console errors
# about the CSP or the Permissions-Policy header (a policy it cannot parse is only logged there).
POLICY_VIOLATION_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__policyViolation(`${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"}`
    + ` in ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""
POLICY_CONSOLE_MARKERS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


@contextmanager
def policy_guarded_page(browser, **context_args) -> Iterator:
    """A page in a new browser context (closed afterwards). Fails the test if anything in the
    context violated the Content-Security-Policy or the browser refused a policy header."""
    context = browser.new_context(**context_args)
    context.set_default_timeout(15_000)
    violations: list[str] = []

    def on_violation(report: str) -> None:
        violations.append(report)

    def on_console(message) -> None:
        if any(marker in message.text for marker in POLICY_CONSOLE_MARKERS):
            violations.append(f"console {message.type}: {message.text}")

    context.expose_function("__policyViolation", on_violation)
    context.add_init_script(POLICY_VIOLATION_LISTENER)
    context.on("console", on_console)
    page = context.new_page()
    try:
        yield page
        if not page.is_closed():
            page.evaluate("0")  # a round trip, so the last reports have reached us
    finally:
        context.close()
    if violations:
        pytest.fail("Content-Security-Policy / Permissions-Policy violations:\n" + "\n".join(violations),
                    pytrace=False)
