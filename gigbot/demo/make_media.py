"""Regenerate the playground's demo media: shape pictures (Pillow) and spoken clips.

The clips are real speech from Debian's ``espeak-ng`` (``apt-get install espeak-ng``), encoded
to Ogg/Opus by ``opusenc`` (``opus-tools``) so that they go out as voice messages; each clip's
sentence is its gold in ``voice/items.jsonl``. The files are committed: the playground never
runs this. ``python -m gigbot.demo.make_media`` writes them beside this file.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

__all__ = ["CLIPS", "CONTROL_CLIPS", "SHAPES", "make_clips", "make_shapes"]

HERE = Path(__file__).resolve().parent

# key: (shape, fill colour, background)
SHAPES: dict[str, tuple[str, str, str]] = {
    "s1": ("circle", "#e0463c", "#f4f1ea"),
    "s2": ("square", "#2f6fd6", "#eef3f8"),
    "s3": ("triangle", "#2e9d5b", "#f7f3e8"),
    "s4": ("square", "#e39a24", "#f1f1f1"),
    "s5": ("circle", "#7a4bc9", "#f5f0f7"),
    "s6": ("triangle", "#d2397c", "#eef6f2"),
    "s7": ("circle", "#1f9aa8", "#f8f4ee"),
    "s8": ("triangle", "#5a6b7d", "#f3efe6"),
    "s9": ("square", "#b33b2e", "#edf2f6"),
}

# key: (espeak-ng voice, sentence)
CLIPS: dict[str, tuple[str, str]] = {
    "v1": ("en-us", "The train leaves at seven in the morning."),
    "v2": ("en-us", "Please bring two apples and a bottle of water."),
    "v3": ("en-us", "The meeting moved to Thursday afternoon."),
    "v4": ("ko", "오늘 날씨가 정말 좋네요."),
    "v5": ("ko", "내일 아침에 다시 전화할게요."),
    "v6": ("ko", "감사합니다. 좋은 하루 보내세요."),
}


# Clips whose sentence is their gold (control items); the others are work to transcribe, their
# sentences kept above.
CONTROL_CLIPS = frozenset({"v1", "v4"})


def make_shapes(folder: Path) -> None:
    """Nine 320x320 pictures of one shape each (PNG, a few kB)."""
    folder.mkdir(parents=True, exist_ok=True)
    for key, (shape, colour, background) in SHAPES.items():
        image = Image.new("RGB", (320, 320), background)
        draw = ImageDraw.Draw(image)
        box = (70, 70, 250, 250)
        if shape == "circle":
            draw.ellipse(box, fill=colour)
        elif shape == "square":
            draw.rectangle(box, fill=colour)
        else:
            draw.polygon([(160, 60), (260, 250), (60, 250)], fill=colour)
        image.save(folder / f"{key}.png", optimize=True)


def make_clips(folder: Path) -> list[dict[str, object]]:
    """Speak every sentence into an Ogg/Opus voice clip; returns the items (gold on some)."""
    folder.mkdir(parents=True, exist_ok=True)
    items: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for key, (voice, sentence) in CLIPS.items():
            wav = Path(tmp) / f"{key}.wav"
            subprocess.run(["espeak-ng", "-v", voice, "-s", "135", "-w", str(wav), sentence],
                           check=True)
            subprocess.run(["opusenc", "--quiet", "--bitrate", "16", "--discard-comments",
                            str(wav), str(folder / f"{key}.ogg")], check=True)
            item: dict[str, object] = {"key": key, "audio": f"audio/{key}.ogg"}
            if key in CONTROL_CLIPS:
                item["gold"] = sentence
            items.append(item)
    return items


def main() -> None:
    """Write images and clips, and the voice project's items."""
    make_shapes(HERE / "shapes" / "images")
    items = make_clips(HERE / "voice" / "audio")
    lines = [json.dumps(item, ensure_ascii=False) for item in items]
    (HERE / "voice" / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
