"""Generate the small media files of the examples (deterministic; the results are committed).

    .venv/bin/python examples/make_media.py

photo-tags/images/: coloured shapes as JPEG and PNG; one JPEG carries EXIF (camera, a rotation
and a GPS position) so that the media pipeline's stripping can be seen and tested.
voice-notes/audio/: short mono 8 kHz WAV sine tones (made with the stdlib ``wave`` module; no
OGG, which would need an Opus or Vorbis encoder).
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZE = (120, 90)

# name -> (background, [(shape, colour, box)])
PICTURES: dict[str, tuple[str, list[tuple[str, str, tuple[int, int, int, int]]]]] = {
    "p1.jpg": ("white", [("circle", "red", (10, 10, 60, 60))]),
    "p2.png": ("white", [("square", "blue", (20, 15, 80, 75))]),
    "p3.jpg": ("lightyellow", [("circle", "blue", (5, 20, 55, 70)),
                               ("square", "red", (65, 20, 110, 65))]),
    "p4.png": ("white", [("triangle", "red", (20, 10, 100, 80))]),
    "p5.jpg": ("white", [("triangle", "blue", (5, 40, 55, 85)),
                         ("circle", "red", (65, 5, 110, 50))]),
    "p6.png": ("lightgrey", [("square", "red", (10, 10, 50, 50)),
                             ("triangle", "blue", (60, 40, 110, 85))]),
}
EXIF_ON = "p1.jpg"

# name -> (frequency in Hz, seconds)
TONES = {"v1.wav": (440.0, 0.8), "v2.wav": (523.25, 0.6), "v3.wav": (659.25, 0.7)}
RATE = 8000


def draw_picture(background: str, shapes: list[tuple[str, str, tuple[int, int, int, int]]]
                 ) -> Image.Image:
    """A small picture of coloured shapes."""
    image = Image.new("RGB", SIZE, background)
    pen = ImageDraw.Draw(image)
    for shape, colour, (x0, y0, x1, y1) in shapes:
        if shape == "circle":
            pen.ellipse((x0, y0, x1, y1), fill=colour)
        elif shape == "square":
            pen.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            pen.polygon([((x0 + x1) // 2, y0), (x1, y1), (x0, y1)], fill=colour)
    return image


def exif() -> Image.Exif:
    """Camera make, orientation 6 (rotate 90°) and a GPS position in Seoul."""
    data = Image.Exif()
    data[0x010F] = "gigbot demo camera"  # Make
    data[0x0112] = 6  # Orientation
    data[0x8825] = {1: "N", 2: (37.0, 33.0, 59.0), 3: "E", 4: (126.0, 58.0, 41.0)}  # GPS
    return data


def write_tone(path: Path, frequency: float, seconds: float) -> None:
    """A mono 16-bit sine tone with short fades (no clicks)."""
    frames = int(RATE * seconds)
    fade = RATE // 50
    samples = bytearray()
    for n in range(frames):
        envelope = min(1.0, n / fade, (frames - n) / fade)
        value = int(12000 * envelope * math.sin(2 * math.pi * frequency * n / RATE))
        samples += struct.pack("<h", value)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(samples))


def main() -> None:
    """Write every media file of the examples."""
    images = HERE / "photo-tags" / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name, (background, shapes) in PICTURES.items():
        picture = draw_picture(background, shapes)
        target = images / name
        if name.endswith(".png"):
            picture.save(target, "PNG", optimize=True)
        elif name == EXIF_ON:
            picture.save(target, "JPEG", quality=70, exif=exif())
        else:
            picture.save(target, "JPEG", quality=70)
    audio = HERE / "voice-notes" / "audio"
    audio.mkdir(parents=True, exist_ok=True)
    for name, (frequency, seconds) in TONES.items():
        write_tone(audio / name, frequency, seconds)


if __name__ == "__main__":
    main()
