"""The command line end to end: import, list, pause, resume (SQLite in tmp_path, no .env)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from gigbot.cli import main

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIGBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GIGBOT_DB_URL", f"sqlite://{tmp_path / 'data' / 'gigbot.sqlite3'}")
    monkeypatch.setenv("GIGBOT_LOG_LEVEL", "WARNING")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_import_list_pause_resume(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "project", "import", str(EXAMPLES / "review-sentiment"))
    assert code == 2
    assert err.splitlines() == [
        'gigbot: project.toml:16: qualification: no quiz "sentiment-exam"; import the quiz '
        "first (gigbot quiz import)",
        "nothing was imported: 1 error",
    ]
    assert run(capsys, "quiz", "import", str(EXAMPLES / "sentiment-exam"))[:2] == (
        0,
        "imported quiz sentiment-exam: 6 training and 12 exam items (18 new, 0 updated)\n",
    )
    assert run(capsys, "project", "import", str(EXAMPLES / "review-sentiment"))[:2] == (
        0,
        "imported review-sentiment: 40 items (40 new, 0 updated, 8 control)\n",
    )
    assert run(capsys, "project", "import", str(EXAMPLES / "photo-tags" / "project.toml"))[0] == 0
    archive = env / "voice-notes.zip"
    with zipfile.ZipFile(archive, "w") as out_zip:
        for path in sorted((EXAMPLES / "voice-notes").rglob("*")):
            out_zip.write(
                path, "voice-notes/" + path.relative_to(EXAMPLES / "voice-notes").as_posix()
            )
    assert run(capsys, "project", "import", str(archive))[:2] == (
        0,
        "imported voice-notes: 3 items (3 new, 0 updated, 1 control)\n",
    )

    assert run(capsys, "project", "pause", "photo-tags")[:2] == (
        0,
        "project photo-tags is paused: its items are not served until it is resumed\n",
    )
    code, out, _ = run(capsys, "project", "list")
    assert code == 0
    assert out.splitlines() == [
        "slug              kind            status  items  complete  control  answers  "
        "qualification",
        "photo-tags        classification  paused      6         0        2        0  -",
        "review-sentiment  classification  active     40         0        8        0  "
        "sentiment-exam",
        "voice-notes       transcription   active      3         0        1        0  -",
    ]
    assert run(capsys, "project", "resume", "photo-tags")[:2] == (
        0,
        "project photo-tags is active: its items are served again\n",
    )
    code, out, err = run(capsys, "project", "pause", "no-such")
    assert (code, out, err) == (2, "", "gigbot: there is no project no-such\n")


def test_reimport_says_what_stays(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = Path(shutil.copytree(EXAMPLES / "voice-notes", env / "voice"))
    assert run(capsys, "project", "import", str(folder))[0] == 0
    items = (folder / "items.jsonl").read_text(encoding="utf-8").splitlines()
    extra = json.dumps({"key": "v4", "audio": "audio/v2.wav"})
    (folder / "items.jsonl").write_text(items[0] + "\n" + extra + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "project", "import", str(folder))
    assert (code, out.splitlines()) == (
        0,
        [
            "imported voice-notes: 2 items (1 new, 0 updated, 1 control)",  # v1 is as it was
            "2 items of voice-notes are not in this file; they stay as they were",
        ],
    )


def test_bad_file_exit_2_and_nothing_imported(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(shutil.copytree(EXAMPLES / "voice-notes", env / "voice"))
    with (folder / "items.jsonl").open("a", encoding="utf-8") as out:
        out.write('{"key": "v1", "audio": "audio/v1.wav"}\n{"key": "v9", "text": "x"}\n')
    code, out, err = run(capsys, "project", "import", str(folder))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "gigbot: items.jsonl:5: text: a transcription item needs audio or an image to transcribe",
        'gigbot: items.jsonl:4: key: "v1" is used twice (first on line 1)',
        "nothing was imported: 2 errors",
    ]
    code, out, _ = run(capsys, "project", "list")
    assert (code, out) == (0, "no projects yet: import one with gigbot project import PATH\n")
