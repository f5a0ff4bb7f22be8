"""Fast start: what the command line imports (not how long it takes: that is bench/startup.py).

Each command runs in a fresh interpreter; the test lists the heavy libraries in ``sys.modules``
when it is done.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import EXAMPLES

HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "sklearn", "great_expectations", "datasets", "fairlearn", "cleanlab",
         "ftfy", "phonenumbers", "rich.progress", "curate.report.junit")
PROBE = """
import json, sys
from curate.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print("\\nLOADED " + json.dumps([m for m in {heavy!r} if m in sys.modules]))
"""


def loaded(*args: str) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE.format(args=list(args), heavy=HEAVY)],
                          capture_output=True, text=True, timeout=300)
    line = [x for x in proc.stdout.splitlines() if x.startswith("LOADED ")]
    assert line, proc.stdout + proc.stderr
    return json.loads(line[-1][7:])


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("check", "--help")])
def test_version_and_help_import_no_data_library(args) -> None:
    assert loaded(*args) == []


def test_import_curate_is_light_until_check_is_used() -> None:
    code = ("import sys, curate; light = 'pandas' not in sys.modules; curate.check; "
            "print(light, 'pandas' in sys.modules, curate.check.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True", "curate.runner"]


def test_only_imports_the_libraries_of_the_checks_that_run() -> None:
    """hf_news's suite has expect (Great Expectations), label_errors (scikit-learn, cleanlab) and balance
    (fairlearn); with --only duplicates none of them is loaded."""
    libraries = loaded("check", str(EXAMPLES / "hf_news"), "--only", "duplicates", "--no-progress", "--format", "json")
    assert "pandas" in libraries  # the data is read
    assert not {"great_expectations", "sklearn", "cleanlab", "fairlearn", "scipy", "ftfy", "phonenumbers",
                "rich.progress", "curate.report.junit"} & set(libraries)  # junit (xml.etree) only for --format junit
    assert "great_expectations" in loaded("check", str(EXAMPLES / "hf_news"), "--only", "expect", "--no-progress",
                                          "--format", "json")


def test_text_and_pii_validators_load_only_for_rows_that_need_them() -> None:
    """products_v1 runs text_quality and pii, but none of its texts looks like mojibake, holds control
    characters or a phone-number candidate to validate: ftfy and phonenumbers stay unloaded."""
    libraries = loaded("check", str(EXAMPLES / "products_v1"), "--no-progress", "--no-cache", "--format", "json")
    assert "pandas" in libraries
    assert not {"ftfy", "phonenumbers", "scipy", "rich.progress"} & set(libraries)


def test_only_still_rejects_unknown_checks_and_parameters_elsewhere() -> None:
    from curate.errors import CurateError
    from curate.suite import parse_suite

    with pytest.raises(CurateError, match="unknown check 'duplicatez'"):
        parse_suite("checks:\n  - duplicates: {}\n  - duplicatez: {}\n", "s.yaml", only=["duplicates"])
    with pytest.raises(CurateError, match="thresold"):
        parse_suite("checks:\n  - duplicates: {}\n  - near_duplicates: {thresold: 1}\n", "s.yaml", only=["duplicates"])
