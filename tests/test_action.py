"""The GitHub Action (``action.yml``), run the way the Actions runner runs a composite action.

A small runner below reads action.yml, evaluates each step's ``if:``, substitutes ``${{ … }}``
expressions into the step's script and environment, runs ``run:`` steps with
``bash --noprofile --norc -eo pipefail`` and fresh ``GITHUB_OUTPUT`` / ``GITHUB_ENV`` files per
step, carries ``GITHUB_ENV`` into later steps, shares one ``GITHUB_STEP_SUMMARY``, and records
``uses:`` steps instead of running them (no network: setup-python, actions/cache and
upload-artifact are GitHub's). An expression it does not understand fails the test, so the
action cannot drift away from what is tested. The dataset is the real UCI Adult file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from conftest import REPO, write
from test_gating import adult_rows, dataset  # noqa: F401 — fixtures and helpers
from curate.gating import BASELINE_FILENAME

EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Run:
    """What one run of the action left behind."""

    outputs: dict[str, str]
    stdout: str
    summary: str
    failed: bool
    used: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # uses: steps that would run

    def annotations(self) -> list[str]:
        return [line for line in self.stdout.splitlines() if line.startswith("::")]


def _parse_file(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV syntax: ``name=value`` lines and ``name<<DELIM`` blocks."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            end = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        name, sep, value = line.partition("=")
        assert sep, f"malformed line in {path.name}: {line!r}"
        out[name] = value
        i += 1
    return out


class Runner:
    """Runs action.yml's steps for one job, as the runner would."""

    def __init__(self, workspace: Path, temp: Path, inputs: dict[str, str]) -> None:
        self.action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
        declared = self.action["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs = {k: str(v.get("default", "")) for k, v in declared.items()} | inputs
        self.workspace, self.temp = workspace, temp
        self.env: dict[str, str] = {}  # what steps added through GITHUB_ENV
        self.steps: dict[str, dict[str, str]] = {}
        self.summary = temp / "step_summary.md"

    # ------------------------------------------------------------ expressions

    def value(self, expr: str) -> str:
        scope, _, name = expr.partition(".")
        if scope == "inputs":
            return self.inputs[name]
        if scope == "env":
            return self.env.get(name, "")
        if scope == "runner":
            return {"os": "Linux", "temp": str(self.temp)}[name]
        if scope == "github":
            return {"sha": "0123abcd", "action_path": str(REPO), "workspace": str(self.workspace)}[name]
        if scope == "steps":
            step, kind, output = name.split(".")
            assert kind == "outputs", expr
            return self.steps.get(step, {}).get(output, "")
        raise AssertionError(f"expression the test runner does not know: {expr}")

    def substitute(self, text: str) -> str:
        return EXPR.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, expr: str | None, failed: bool) -> bool:
        """``if:`` with the subset the action uses: always(), ==, != on quoted literals, &&."""
        if expr is None:
            return not failed
        expr = EXPR.sub(lambda m: m.group(1), expr)
        ok, status_function = True, False
        for part in (p.strip() for p in expr.split("&&")):
            if part == "always()":
                status_function = True
                continue
            match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'([^']*)'", part)
            assert match, f"if: the test runner does not know: {part}"
            left, op, right = match.groups()
            ok &= (self.value(left) == right) == (op == "==")
        return ok and (status_function or not failed)

    # ------------------------------------------------------------ steps

    def run(self) -> Run:
        failed, stdout, used = False, [], []
        for step in self.action["runs"]["steps"]:
            if not self.condition(step.get("if"), failed):
                continue
            if "uses" in step:
                used.append((step["uses"], {k: self.substitute(v) for k, v in (step.get("with") or {}).items()}))
                continue
            code, out = self._run_step(step)
            stdout.append(out)
            failed |= code != 0
        outputs = {name: self.substitute(spec["value"]) for name, spec in self.action["outputs"].items()}
        summary = self.summary.read_text(encoding="utf-8") if self.summary.exists() else ""
        return Run(outputs, "".join(stdout), summary, failed, used)

    def _run_step(self, step: dict) -> tuple[int, str]:
        assert step["shell"] == "bash"
        n = len(self.steps)
        output_file, env_file = self.temp / f"output_{n}", self.temp / f"env_{n}"
        script = self.temp / f"step_{n}.sh"
        script.write_text(self.substitute(step["run"]), encoding="utf-8")
        env = {
            **os.environ, **self.env,
            "GITHUB_ACTIONS": "true", "CI": "true", "RUNNER_TEMP": str(self.temp), "RUNNER_OS": "Linux",
            "GITHUB_WORKSPACE": str(self.workspace), "GITHUB_ACTION_PATH": str(REPO),
            "GITHUB_OUTPUT": str(output_file), "GITHUB_ENV": str(env_file), "GITHUB_STEP_SUMMARY": str(self.summary),
            **{k: self.substitute(v) for k, v in (step.get("env") or {}).items()},
        }
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], cwd=self.workspace,
                              env=env, capture_output=True, text=True, timeout=300)
        self.steps[step.get("id", f"step{n}")] = _parse_file(output_file)
        self.env.update(_parse_file(env_file))
        return proc.returncode, proc.stdout


@pytest.fixture
def workspace(tmp_path: Path, adult_rows) -> Path:
    """A checked-out dataset repository: Adult at the root with its curate.yaml."""
    return dataset(tmp_path / "repo", adult_rows)


def run_action(workspace: Path, **inputs: str) -> Run:
    temp = workspace.parent / "runner_temp"
    temp.mkdir(exist_ok=True)
    return Runner(workspace, temp, {"version": "installed", **{k.replace("_", "-"): v for k, v in inputs.items()}}).run()


def test_failing_dataset_annotates_summarises_and_sets_outputs(workspace: Path) -> None:
    run = run_action(workspace, upload_report="true")
    assert run.failed
    out = run.outputs
    assert out["status"] == "failed"
    assert (out["pass"], out["warn"], out["fail"], out["error"], out["skip"]) == ("0", "0", "2", "0", "0")
    assert out["new-findings"] == "25"  # no baseline: every finding is new
    annotations = run.annotations()
    assert len(annotations) == 10 and all(a.startswith("::error file=train.csv,line=") for a in annotations)
    report = json.loads(Path(out["report"]).read_text(encoding="utf-8"))
    first = report["results"][0]["findings"][0]
    assert f"line={first['row'] + 2}," in annotations[0]
    assert run.summary.startswith("## curate: FAILED") and "| duplicates | ❌ fail | 24 |" in run.summary
    uses = [name for name, _ in run.used]
    assert uses == ["actions/cache/restore@v4", "actions/cache/save@v4", "actions/upload-artifact@v4"]
    upload = run.used[-1][1]
    assert Path(upload["path"]) == Path(out["report"]).parent
    cache_paths = {w["path"] for name, w in run.used if name.startswith("actions/cache")}
    assert cache_paths == {str(workspace.parent / "runner_temp" / "curate-cache")}


def test_accepted_baseline_passes_and_only_new_findings_are_annotated(workspace: Path, adult_rows) -> None:
    subprocess.run(["python", "-m", "curate", "check", ".", "--no-progress", "--format", "json",
                    "--update-baseline", BASELINE_FILENAME], cwd=workspace, check=True, capture_output=True)
    run = run_action(workspace, cache="false")
    assert not run.failed and run.outputs["status"] == "passed"
    assert run.outputs["new-findings"] == "0" and run.annotations() == []
    assert [name for name, _ in run.used] == []  # no cache, no upload asked for

    (workspace / "train.csv").write_text((workspace / "train.csv").read_text() + adult_rows[100] + "\n")
    shutil.rmtree(workspace.parent / "runner_temp")
    run = run_action(workspace, cache="false")
    assert run.failed and run.outputs["status"] == "failed" and run.outputs["new-findings"] == "1"
    (annotation,) = run.annotations()
    assert annotation.startswith(f"::error file=train.csv,line={len(adult_rows) + 2},title=curate duplicates::")
    assert "1 new, 0 fixed, 25 unchanged" in run.summary.replace("\\", "")


def test_fail_on_never_and_sarif_report_file(workspace: Path) -> None:
    run = run_action(workspace, fail_on="never", format="sarif", baseline="none")
    assert not run.failed and run.outputs["status"] == "passed" and run.outputs["fail"] == "2"
    sarif = json.loads(Path(run.outputs["report-file"]).read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and len(sarif["runs"][0]["results"]) == 25


def test_suite_error_is_status_error(workspace: Path) -> None:
    write(workspace / "bad.yaml", "checks:\n  - no_such_check: {}\n")
    run = run_action(workspace, suite="bad.yaml")
    assert run.failed and run.outputs["status"] == "error"
    assert run.outputs["new-findings"] == "" and run.annotations() == []


def test_inputs_with_shell_metacharacters_stay_data(workspace: Path) -> None:
    """Inputs reach the script through env variables, never pasted into its text."""
    marker = workspace.parent / "pwned"
    run = run_action(workspace, suite=f"x$(touch {marker}).yaml")
    assert run.outputs["status"] == "error" and not marker.exists()


def test_readme_workflows_parse_and_use_real_inputs_and_outputs() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), flags=re.S)
    workflows = [yaml.safe_load(b) for b in blocks if "uses: OWNER/curate@" in b and "jobs:" in b]
    assert len(workflows) == 2
    for workflow in workflows:
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                if str(step.get("uses", "")).startswith("OWNER/curate@"):
                    assert set(step.get("with", {})) <= set(action["inputs"])
            used = re.findall(r"steps\.curate\.outputs\.([\w-]+)", json.dumps(job))
            assert set(used) <= set(action["outputs"])


@pytest.mark.parametrize("version, spec", [("", str(REPO)), ("0.1.0", "curate==0.1.0")])
def test_install_step_defaults_to_the_actions_own_checkout(workspace: Path, version: str, spec: str) -> None:
    """``uses: OWNER/curate@REF`` runs the curate of REF, not whatever the index calls ``curate``."""
    shims = workspace.parent / "shims"
    shims.mkdir()
    log = workspace.parent / "pip.log"
    real = shutil.which("python") or shutil.which("python3")
    (shims / "python").write_text(f'#!/bin/sh\n[ "$1 $2" = "-m pip" ] && {{ echo "$@" >> "{log}"; exit 0; }}\nexec "{real}" "$@"\n')
    (shims / "python").chmod(0o755)
    temp = workspace.parent / "runner_temp"
    temp.mkdir()
    path = f"{shims}{os.pathsep}{os.environ['PATH']}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", path)
        run = Runner(workspace, temp, {"version": version}).run()
    assert log.read_text().split()[-1] == spec
    assert run.outputs["status"] == "failed"  # the rest ran with the curate already installed
