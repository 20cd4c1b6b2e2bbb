"""axe-core (npm, pinned in tests/browser/package-lock.json) for the accessibility checks: installed with
`npm ci` on first use, injected into the page through the DevTools protocol (no script tag, so the page's
Content-Security-Policy is not loosened for it)."""

import shutil
import subprocess
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"


@cache
def axe_source() -> str | None:
    """axe.min.js, installing it from the lock file when it is missing; None when npm cannot."""
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=HERE,
            check=False,
            timeout=300,
            capture_output=True,
        )
    return AXE.read_text() if AXE.exists() else None


def axe_violations(page) -> list[dict]:
    """Every rule axe-core runs by default (WCAG 2.x A/AA and best practices) on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
    ]
