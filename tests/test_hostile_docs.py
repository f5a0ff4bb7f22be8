"""SECURITY.md maps each attack class to the tests that cover it: every test it names must exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_NAMED = re.compile(r"`(tests/test_\w+\.py::\w+(?:\[[\w-]+\])?)`")


def test_security_md_names_only_tests_that_exist() -> None:
    named = set(_NAMED.findall((ROOT / "SECURITY.md").read_text(encoding="utf-8")))
    assert len(named) >= 20, named  # the map is there
    files = sorted({n.split("::")[0] for n in named})
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
                               cwd=ROOT, capture_output=True, text=True, env=os.environ.copy())
    ids = set(collected.stdout.split())
    functions = {i.split("[")[0] for i in ids}
    missing = sorted(n for n in named if n not in (ids if "[" in n else functions))
    assert not missing, f"SECURITY.md names tests that do not exist: {missing}\n{collected.stderr[-2000:]}"
