"""The daily commands as a user runs them: check, report, diff, verify, and the configuration
in pyproject.toml, each through `python -m builder` in a folder of its own."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from tests.helpers import run_builder

VAULT = FIXTURES / "vault"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_builder(*args, cwd=cwd, env={"SOURCE_DATE_EPOCH": "1700000000", "PATH": "/usr/bin"})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A user's project: notes in source_notes/, nothing built yet."""
    shutil.copytree(VAULT, tmp_path / "source_notes")
    return tmp_path


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file, but the build cache (which `check` keeps to stay fast in a hook)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and ".cache" not in p.parts
    }


def test_check_writes_nothing_and_fails_only_on_what_it_should(project: Path) -> None:
    before = files_under(project)
    done = run("check", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "decks/questions.md:20: warning[no-answer]:" in done.stderr
    assert done.stdout.startswith("check passed: 14 notes; 0 errors, 1 warning (no-answer 1)")
    assert files_under(project) == before, "check wrote a file"

    strict = run("check", "--strict", "--quiet", cwd=project)
    assert strict.returncode == 1 and strict.stdout == ""
    assert "check failed: 14 notes" in strict.stderr

    as_json = json.loads(run("check", "--json", cwd=project).stdout)
    assert as_json["ok"] is True and as_json["notes"] == 14
    assert as_json["diagnostics"] == [
        {
            "path": "decks/questions.md",
            "line": 20,
            "severity": "warning",
            "code": "no-answer",
            "message": as_json["diagnostics"][0]["message"],
        }
    ]
    assert files_under(project) == before


def test_report_json_is_the_build_report_and_text_names_the_figures(project: Path) -> None:
    report = json.loads(run("report", "--json", cwd=project).stdout)
    assert run("build", cwd=project).returncode == 0
    written = json.loads((project / "dist" / "build-report.json").read_text())
    (deck,) = report["decks"]
    (built,) = written["decks"]
    for key in ("notes", "by_kind", "by_domain", "by_service", "by_source", "merges", "version"):
        assert deck[key] == built[key], key
    assert deck["by_kind"] == {"basic": 9, "cloze": 1, "multiple-choice": 2, "reversed": 2}

    text = run("report", cwd=project).stdout
    assert "Fixture Deck: 14 notes, version 1.0.0 (first release)" in text
    assert "  by domain: data-engineering 8, modeling 6" in text
    markdown = run("report", "--markdown", cwd=project).stdout
    assert "| domain | notes |" in markdown and "| modeling | 6 |" in markdown


def test_diff_predicts_what_the_next_build_releases(project: Path) -> None:
    first = json.loads(run("diff", "--json", cwd=project).stdout)
    assert first["decks"][0]["from"] is None and first["decks"][0]["to"] == "1.0.0"
    assert len(first["decks"][0]["added"]) == 14
    assert run("build", cwd=project).returncode == 0
    unchanged = run("diff", cwd=project)
    assert unchanged.stdout == "Fixture Deck: unchanged at 1.0.0\n"

    notes = project / "source_notes" / "decks" / "notes.md"
    text = notes.read_text()
    assert "punishes large misses" in text and "- Hinge loss:" in text
    text = text.replace("punishes large misses", "punishes large errors the most")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("- Hinge loss:"))
    notes.write_text(text + "\n- Huber loss: squared near zero, linear far from it.\n")
    lock_before = (project / "source_notes" / "deck.lock").read_bytes()

    diff = json.loads(run("diff", "--json", cwd=project).stdout)
    (deck,) = diff["decks"]
    assert (deck["from"], deck["to"]) == ("1.0.0", "1.1.0")
    assert [c["front"][:5] for c in deck["added"]] == ["Huber"]
    assert [c["front"][:4] for c in deck["changed"]] == ["RMSE"]
    assert [c["front"][:5].lower() for c in deck["retired"]] == ["hinge"]
    assert (project / "source_notes" / "deck.lock").read_bytes() == lock_before
    text_diff = run("diff", cwd=project).stdout
    assert text_diff.startswith("Fixture Deck: 1.0.0 → 1.1.0: 1 added, 1 changed, 1 retired\n")
    assert "  + Huber loss" in text_diff and "  - hinge loss (decks/notes.md:16)" in text_diff

    built = run("build", cwd=project)
    assert "version 1.1.0 (from 1.0.0): 1 added, 1 changed, 1 retired" in built.stdout


def test_configuration_in_pyproject_is_used_and_checked(project: Path) -> None:
    (project / "source_notes").rename(project / "notes")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "my-decks"\n\n'
        '[tool.builder]\nsources = ["notes"]\nout = "decks"\ndeck = "Mine"\n'
        "subdecks_by_domain = true\n\n"
        '[tool.builder.checks]\nno-answer = "error"\n'
    )
    failed = run("build", cwd=project)
    assert failed.returncode == 1
    assert "decks/questions.md:20: error[no-answer]:" in failed.stderr

    (project / "pyproject.toml").write_text(
        '[tool.builder]\nsources = "notes"\nout = "decks"\nsubdecks_by_domain = true\n'
        '[tool.builder.checks]\nno-answer = "ignore"\n'
    )
    done = run("build", "--strict", cwd=project)
    assert done.returncode == 0, done.stderr
    assert "no-answer" not in done.stderr
    report = json.loads((project / "decks" / "build-report.json").read_text())
    subdecks = report["decks"][0]["by_subdeck"]
    assert subdecks["Fixture Deck::Streaming"] == 7, "a deck the notes split is kept"
    assert (project / "notes" / "deck.lock").is_file()

    # Flags win over the file.
    other = run("check", "--source", "notes", "--deck", "Other", "--no-strict", cwd=project)
    assert other.returncode == 0, other.stderr


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ('sorce = ["notes"]', "[tool.builder]: unknown key 'sorce' (known keys: checks, deck,"),
        ("strict = 1", "[tool.builder] strict: expected true or false, got 1"),
        ('sources = ["notes", 3]', "[tool.builder] sources: expected a folder or a list"),
        ("jobs = 0", "[tool.builder] jobs: expected a whole number of 1 or more, got 0"),
        (
            '[tool.builder.checks]\nno-answer = "loud"',
            "[tool.builder] checks.no-answer: expected one of ignore, info, warning, error, "
            "got 'loud'",
        ),
        ("deck = ", "not valid TOML"),
    ],
)
def test_a_configuration_mistake_names_the_file_and_the_key(
    project: Path, table: str, expected: str
) -> None:
    config = project / "pyproject.toml"
    header = "" if table.startswith("[") else "[tool.builder]\n"
    config.write_text(header + table + "\n")
    for command in ("build", "check"):
        done = run(command, cwd=project)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"error: {config}: "), done.stderr
        assert expected in done.stderr and "Traceback" not in done.stderr
        assert done.stderr.count("\n") == 1
    assert not (project / "dist").exists()


def test_verify_reports_what_anki_imported(project: Path) -> None:
    assert run("build", cwd=project).returncode == 0
    (package,) = (project / "dist").glob("*.apkg")
    seen = json.loads(run("verify", "--json", str(package), cwd=project).stdout)
    assert seen["ok"] is True
    assert (seen["notes"], seen["cards"], seen["media"]) == (14, 9 + 2 * 2 + 2 + 2, 1)
    assert seen["note_types"]["Deck Builder: Basic (and reversed card)"] == 2
    assert set(seen["decks"]) == {
        "Fixture Deck::Modeling",
        "Fixture Deck::Questions",
        "Fixture Deck::Streaming",
    }
    text = run("verify", str(package), cwd=project)
    assert text.returncode == 0
    assert "ok: Anki imported 14 notes, 17 cards, 1 media file" in text.stdout

    broken = project / "broken.apkg"
    broken.write_bytes(package.read_bytes()[:2000])
    failed = run("verify", str(broken), cwd=project)
    assert failed.returncode == 1 and "FAILED: Anki could not import it" in failed.stdout
    missing = run("verify", "nope.apkg", cwd=project)
    assert (missing.returncode, missing.stderr) == (
        2,
        "error: package 'nope.apkg' does not exist\n",
    )


def test_many_diagnostics_of_one_code_are_grouped(project: Path) -> None:
    questions = project / "source_notes" / "decks" / "more.md"
    questions.write_text(
        "".join(f"### Unanswered question {n}?\n- [ ] one\n- [ ] two\n\n" for n in range(9))
    )
    done = run("check", cwd=project)
    lines = [line for line in done.stderr.splitlines() if "no-answer" in line]
    assert len(lines) == 6, done.stderr
    assert lines[-1] == "… and 5 more warning[no-answer] (--verbose shows all)"
    verbose = run("check", "--verbose", cwd=project)
    assert verbose.stderr.count("warning[no-answer]") == 10


def test_every_command_has_help_with_examples(tmp_path: Path) -> None:
    for command in ("build", "check", "report", "diff", "preview", "verify"):
        done = run(command, "--help", cwd=tmp_path)
        assert done.returncode == 0 and "examples:" in done.stdout, command
        assert f"python -m builder {command}" in done.stdout
