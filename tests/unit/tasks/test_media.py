"""Image re-encoding: orientation applied, every metadata block gone, size capped, watermark."""

from __future__ import annotations

import io

from PIL import Image, ImageChops

from gigbot.tasks.media import MediaKind, audio_kind, reencode_image


def _jpeg_with_metadata(size: tuple[int, int] = (200, 100), orientation: int = 6) -> bytes:
    image = Image.new("RGB", size, "white")
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))  # left half red
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: 6 = rotate 90° clockwise to display
    exif[0x010F] = "CameraMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (37.0, 33.0, 59.0)  # a position in Seoul
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"secret note")
    return out.getvalue()


def test_metadata_is_removed_and_orientation_applied() -> None:
    data = reencode_image(_jpeg_with_metadata())
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (100, 200)  # rotated by the EXIF orientation
        assert not image.getexif()
        assert "comment" not in image.info
        assert "exif" not in image.info and "icc_profile" not in image.info
        top = image.getpixel((50, 10))
        assert isinstance(top, tuple) and top[0] > 200 and top[1] < 60  # red went to the top
    assert b"CameraMaker" not in data and b"secret note" not in data


def test_long_side_is_capped() -> None:
    big = io.BytesIO()
    Image.new("RGB", (4000, 1000), "blue").save(big, "PNG")
    with Image.open(io.BytesIO(reencode_image(big.getvalue()))) as image:
        assert image.size == (1280, 320)
    small = io.BytesIO()
    Image.new("RGB", (300, 200), "blue").save(small, "PNG")
    with Image.open(io.BytesIO(reencode_image(small.getvalue()))) as image:
        assert image.size == (300, 200)  # never enlarged


def test_transparency_is_laid_on_white() -> None:
    png = io.BytesIO()
    Image.new("RGBA", (40, 40), (0, 0, 0, 0)).save(png, "PNG")
    with Image.open(io.BytesIO(reencode_image(png.getvalue()))) as image:
        assert image.mode == "RGB"
        pixel = image.getpixel((20, 20))
        assert isinstance(pixel, tuple) and min(pixel) > 240


def test_watermark_changes_the_picture() -> None:
    png = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(png, "PNG")
    clean = Image.open(io.BytesIO(reencode_image(png.getvalue())))
    marked = Image.open(io.BytesIO(reencode_image(png.getvalue(), watermark="w1a2b3c4d5e6")))
    assert marked.size == clean.size
    box = ImageChops.difference(clean.convert("RGB"), marked.convert("RGB")).getbbox()
    assert box is not None and box[2] > 300 and box[3] > 250  # the bottom right corner


def test_audio_kinds() -> None:
    assert audio_kind("media/x/abc.ogg") is MediaKind.VOICE
    assert audio_kind("media/x/abc.OPUS") is MediaKind.VOICE
    assert audio_kind("media/x/abc.mp3") is MediaKind.AUDIO
    assert audio_kind("media/x/abc.wav") is MediaKind.AUDIO
