"""Items, media and bundles: each bad item is one line naming the file, the line and the field."""

from __future__ import annotations

import json
import wave
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from gigbot.catalog.importer import ImportRejected, validate_project, validate_quiz

HEAD = """\
slug = "demo-project"
kind = "{kind}"
title = {{ en = "Demo", ko = "데모" }}
{labels}reward = 30
multi_label = {multi}
"""
LABELS = (
    'labels = [ { value = "pos", en = "Positive", ko = "긍정" },\n'
    '           { value = "neg", en = "Negative", ko = "부정" } ]\n'
)


def project(
    folder: Path,
    items: list[Any] | str,
    *,
    kind: str = "classification",
    multi: bool = False,
    inline: str | None = None,
) -> Path:
    """A project folder; ``items`` are JSONL objects (or raw JSONL text)."""
    folder.mkdir(parents=True, exist_ok=True)
    head = HEAD.format(
        kind=kind, labels=LABELS if kind == "classification" else "", multi=str(multi).lower()
    )
    tail = inline if inline is not None else 'items = "items.jsonl"\n'
    (folder / "project.toml").write_text(head + tail, encoding="utf-8")
    if inline is None:
        text = (
            items
            if isinstance(items, str)
            else "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in items)
        )
        (folder / "items.jsonl").write_text(text, encoding="utf-8")
    return folder


def errors(path: Path) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        validate_project(path)
    return [str(e) for e in rejected.value.errors]


def one(tmp_path: Path, item: Any, **kw: Any) -> list[str]:
    return errors(project(tmp_path / "p", [{"key": "ok", "text": "fine"}, item], **kw))


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ({"text": "no key"}, "items.jsonl:2: key: missing; every item needs a unique key"),
        ({"key": "", "text": "x"}, 'items.jsonl:2: key: expected a non-empty string, got ""'),
        ({"key": True, "text": "x"}, "items.jsonl:2: key: expected a non-empty string, got true"),
        ({"key": "x" * 201, "text": "x"}, "items.jsonl:2: key: longer than 200 characters"),
        ({"key": "k"}, "items.jsonl:2: text: missing: an item has one of text, image, audio"),
        (
            {"key": "k", "text": "x", "image": "a.png"},
            "items.jsonl:2: image: an item has one of text, image, audio, not text and image",
        ),
        ({"key": "k", "text": 5}, "items.jsonl:2: text: expected a non-empty string, got 5"),
        (
            {"key": "k", "text": "x", "gold": "maybe"},
            'items.jsonl:2: gold: "maybe" is not one of pos, neg',
        ),
        (
            {"key": "k", "text": "x", "gold": ["pos"]},
            'items.jsonl:2: gold: expected one label value, got ["pos"]',
        ),
        (
            {"key": "k", "text": "x", "explanation": 3},
            "items.jsonl:2: explanation: expected a string or { en = ..., ko = ... }, got an "
            "integer",
        ),
        (
            {"key": "k", "text": "x", "explanation": {"en": "why"}},
            "items.jsonl:2: explanation: needs a string for ko",
        ),
        (
            {"key": "k", "text": "x", "explanation": {"en": "a", "ko": "b", "fr": "c"}},
            "items.jsonl:2: explanation: unknown language fr (use en and ko)",
        ),
        (
            {"key": "k", "text": "x" * 4001},
            "items.jsonl:2: text: 4001 characters; at most 4000 fit in a message",
        ),
        (
            {"key": "k", "text": "x" * 3000, "context": "y" * 1001},
            "items.jsonl:2: context: text and context together are over 4000 characters",
        ),
        (
            {"key": "k", "text": "x", "context": 1},
            "items.jsonl:2: context: expected a string, got 1",
        ),
        (
            {"key": "k", "text": "x", "colour": "red"},
            "items.jsonl:2: colour: unknown key (an item has key, text, image, audio, context, "
            "gold, explanation)",
        ),
        (
            {"key": "k", "audio": "a.wav"},
            "items.jsonl:2: audio: a classification item is a text or an image",
        ),
        (
            {"key": "ok", "text": "again"},
            'items.jsonl:2: key: "ok" is used twice (first on line 1)',
        ),
    ],
)
def test_item_errors(tmp_path: Path, item: dict[str, Any], error: str) -> None:
    assert one(tmp_path, item) == [error]


def test_the_design_example(tmp_path: Path) -> None:
    items = [{"key": f"k{n}", "text": "x"} for n in range(16)]
    items.append({"key": "k16", "text": "x", "gold": "maybe"})
    assert errors(project(tmp_path / "p", items)) == [
        'items.jsonl:17: gold: "maybe" is not one of pos, neg'
    ]


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (
            '{"key": "k", "text": "x",}',
            "items.jsonl:2: json: bad JSON: Expecting property name "
            "enclosed in double quotes (column 26)",
        ),
        ('["k", "x"]', "items.jsonl:2: item: expected a JSON object, got list"),
    ],
)
def test_bad_json_lines(tmp_path: Path, line: str, error: str) -> None:
    assert errors(project(tmp_path / "p", '{"key": "a", "text": "x"}\n' + line + "\n")) == [error]


def test_blank_lines_and_bom_are_fine_and_numbers_count_them(tmp_path: Path) -> None:
    text = '\ufeff{"key": "a", "text": "x"}\n\n{"key": "b", "text": "y", "gold": "nope"}\n'
    assert errors(project(tmp_path / "p", text)) == [
        'items.jsonl:3: gold: "nope" is not one of pos, neg'
    ]


def test_not_utf8(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", [{"key": "a", "text": "x"}])
    with (folder / "items.jsonl").open("ab") as out:
        out.write(b'{"key": "b", "text": "\xff"}\n')
    assert errors(folder) == ["items.jsonl:2: encoding: not UTF-8"]


def test_integer_keys_are_strings_and_clash(tmp_path: Path) -> None:
    items = [{"key": 1, "text": "x"}, {"key": "1", "text": "y"}]
    assert errors(project(tmp_path / "p", items)) == [
        'items.jsonl:2: key: "1" is used twice (first on line 1)'
    ]


def test_duplicates_in_a_big_file_are_found(tmp_path: Path) -> None:
    items = [{"key": f"k{n}", "text": "x"} for n in range(5000)]
    items.insert(4000, {"key": "k17", "text": "again"})
    assert errors(project(tmp_path / "p", items)) == [
        'items.jsonl:4001: key: "k17" is used twice (first on line 18)'
    ]


def test_errors_are_capped_but_counted(tmp_path: Path) -> None:
    items = [{"key": f"k{n}", "text": "x", "gold": "bad"} for n in range(50)]
    with pytest.raises(ImportRejected) as rejected:
        validate_project(project(tmp_path / "p", items))
    assert (len(rejected.value.errors), rejected.value.total) == (20, 50)
    assert str(rejected.value) == 'items.jsonl:1: gold: "bad" is not one of pos, neg'


def test_multi_label_gold(tmp_path: Path) -> None:
    items = [
        {"key": "a", "text": "x", "gold": ["pos", "neg"]},
        {"key": "b", "text": "x", "gold": "pos"},
        {"key": "c", "text": "x", "gold": ["pos", "meh"]},
        {"key": "d", "text": "x", "gold": []},
        {"key": "e", "text": "x", "gold": ["pos", "pos"]},
    ]
    assert errors(project(tmp_path / "p", items, multi=True)) == [
        'items.jsonl:2: gold: expected a non-empty list of label values, got "pos"',
        'items.jsonl:3: gold: "meh" is not one of pos, neg',
        "items.jsonl:4: gold: expected a non-empty list of label values, got []",
        "items.jsonl:5: gold: a label value is listed twice",
    ]


def write_wav(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 80)


def test_transcription_items(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    write_wav(folder / "audio" / "a.wav")
    (folder / "audio" / "b.flac").write_bytes(b"fLaC")
    items = [
        {"key": "a", "audio": "audio/a.wav", "gold": "안녕하세요"},
        {"key": "b", "text": "read me"},
        {"key": "c", "audio": "audio/a.wav", "gold": ["x"]},
        {"key": "d", "audio": "audio/b.flac"},
        {"key": "e", "audio": "audio/a.wav", "context": "c" * 1001},
    ]
    assert errors(project(folder, items, kind="transcription")) == [
        "items.jsonl:2: text: a transcription item needs audio or an image to transcribe",
        'items.jsonl:3: gold: expected the reference transcription as a string, got ["x"]',
        'items.jsonl:4: audio: "audio/b.flac" is not a supported audio file (use m4a, mp3, oga, '
        "ogg, opus, wav)",
        "items.jsonl:5: context: over 1000 characters (it goes in a caption)",
    ]


def test_media_paths_and_images(tmp_path: Path) -> None:
    folder = tmp_path / "p"
    (folder / "img").mkdir(parents=True)
    Image.new("RGB", (8, 8), "red").save(folder / "img" / "ok.png")
    (folder / "img" / "fake.jpg").write_bytes(b"not an image at all")
    (tmp_path / "outside.png").write_bytes((folder / "img" / "ok.png").read_bytes())
    (folder / "img" / "link.png").symlink_to(tmp_path / "outside.png")
    items = [
        {"key": "a", "image": "img/ok.png"},
        {"key": "b", "image": "img/missing.png"},
        {"key": "c", "image": "img/fake.jpg"},
        {"key": "d", "image": "/etc/hostname"},
        {"key": "e", "image": "img/../../outside.png"},
        {"key": "f", "image": "img/link.png"},
        {"key": "g", "image": "C:\\pics\\a.png"},
    ]
    assert errors(project(folder, items)) == [
        'items.jsonl:2: image: "img/missing.png" is missing',
        'items.jsonl:3: image: "img/fake.jpg" is not an image Pillow can open',
        'items.jsonl:4: image: "/etc/hostname" is not a relative path inside the folder (no / '
        "or ..)",
        'items.jsonl:5: image: "img/../../outside.png" is not a relative path inside the folder '
        "(no / or ..)",
        'items.jsonl:6: image: "img/link.png" is missing',
        'items.jsonl:7: image: "C:\\\\pics\\\\a.png" is not a relative path inside the folder '
        "(no / or ..)",
    ]


def test_inline_items_name_the_toml_line(tmp_path: Path) -> None:
    inline = (
        '[[item]]\nkey = "a"\ntext = "fine"\n\n[[item]]\nkey = "b"\ntext = "x"\n'
        'gold = "maybe"\n\n[[item]]\ntext = "no key"\n'
    )
    folder = project(tmp_path / "p", [], inline=inline)
    assert errors(folder) == [
        'project.toml:15: gold: "maybe" is not one of pos, neg',
        "project.toml:17: key: missing; every item needs a unique key",
    ]


def test_inline_and_file_items_together(tmp_path: Path) -> None:
    inline = 'items = "items.jsonl"\n[[item]]\nkey = "a"\ntext = "x"\n'
    folder = project(tmp_path / "p", [], inline=inline)
    assert errors(folder) == [
        'project.toml:9: item: give the items once: items = "file.jsonl" or [[item]]'
    ]


def test_empty_items_file(tmp_path: Path) -> None:
    assert errors(project(tmp_path / "p", "")) == ["project.toml:8: items: has no items"]


# ----- bundles: folder, .toml, .zip


def test_paths_that_are_not_bundles(tmp_path: Path) -> None:
    nowhere = tmp_path / "nowhere"
    assert errors(nowhere) == [f"{nowhere}: path: no such file or folder"]
    (tmp_path / "empty").mkdir()
    assert errors(tmp_path / "empty") == [
        f"{tmp_path / 'empty'}: project.toml: missing: the folder has no project.toml"
    ]
    (tmp_path / "items.csv").write_text("a,b\n")
    assert errors(tmp_path / "items.csv") == [
        f"{tmp_path / 'items.csv'}: path: expected a .toml file, a folder with project.toml, "
        "or a .zip"
    ]
    (tmp_path / "broken.zip").write_bytes(b"PK not really")
    assert errors(tmp_path / "broken.zip")[0].startswith("broken.zip: zip: not a readable zip")


def test_toml_file_with_its_items_beside_it(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", [{"key": "a", "text": "x"}])
    (folder / "project.toml").rename(folder / "demo.toml")
    assert validate_project(folder / "demo.toml").slug == "demo-project"
    (folder / "items.jsonl").write_text('{"key": "a"}\n')
    assert errors(folder / "demo.toml") == [
        "items.jsonl:1: text: missing: an item has one of text, image, audio"
    ]


def zipped(folder: Path, target: Path, prefixes: list[str]) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for prefix in prefixes:
            for path in sorted(folder.rglob("*")):
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


@pytest.mark.parametrize("prefix", ["", "demo/"])
def test_zip_layouts(tmp_path: Path, prefix: str) -> None:
    items = [{"key": "a", "image": "a.png"}, {"key": "b", "image": "b.png"}]
    folder = project(tmp_path / "p", items)
    Image.new("RGB", (8, 8), "blue").save(folder / "a.png")
    archive = zipped(folder, tmp_path / "p.zip", [prefix])
    assert errors(archive) == ['items.jsonl:2: image: "b.png" is missing']


def test_zip_with_two_projects_is_refused(tmp_path: Path) -> None:
    folder = project(tmp_path / "p", [{"key": "a", "text": "x"}])
    archive = zipped(folder, tmp_path / "two.zip", ["one/", "two/"])
    assert errors(archive) == [
        "two.zip: project.toml: the zip has no single project.toml in more than one top-level "
        "folder"
    ]


def test_quiz_inline_parts(tmp_path: Path) -> None:
    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "quiz.toml").write_text(
        'slug = "tiny-quiz"\nkind = "transcription"\ntitle = "Tiny"\npass_score = 1\n'
        'questions = 1\n\n[[training]]\nkey = "t"\ntext = "x"\ngold = "x"\n\n'
        '[[exam]]\nkey = "e"\naudio = "e.ogg"\ngold = "hello"\n',
        encoding="utf-8",
    )
    (folder / "e.ogg").write_bytes(b"OggS")
    with pytest.raises(ImportRejected) as rejected:
        validate_quiz(folder)
    assert [str(e) for e in rejected.value.errors] == [
        "quiz.toml:9: text: a transcription item needs audio or an image to transcribe"
    ]
