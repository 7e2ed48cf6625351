"""What an upload really is and what is kept of it: written expectations, files made as phones and attackers do."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hotline.uploads import Limits, UploadRefused, prepare, safe_name
from tests import upload_samples as s

pytestmark = pytest.mark.pure
LIMITS = Limits(image_bytes=10 * 1024 * 1024, audio_bytes=20 * 1024 * 1024, max_pixels=50_000_000)


def test_a_phone_photo_loses_its_position_and_camera_and_is_turned_upright():
    kept = prepare(s.phone_photo(400, 200, orientation=6), "IMG_20261203_0815.jpg", LIMITS)
    assert (kept.kind, kept.content_type, kept.extension) == ("image", "image/jpeg", "jpg")
    img = Image.open(io.BytesIO(kept.data))
    assert img.format == "JPEG"
    assert dict(img.getexif()) == {}  # no GPS, no make/model, no orientation left to apply twice
    assert "exif" not in img.info
    assert img.size == (200, 400) == (kept.width, kept.height)  # orientation 6: shown rotated to portrait
    thumb = Image.open(io.BytesIO(kept.thumbnail))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320
    assert kept.name == "IMG_20261203_0815.jpg"


def test_a_huge_photo_is_downscaled_to_2560_on_its_longest_side():
    kept = prepare(s.phone_photo(4000, 3000, orientation=1), "big.jpg", LIMITS)
    assert (kept.width, kept.height) == (2560, 1920)


def test_a_transparent_screenshot_stays_png_and_an_animated_gif_keeps_its_first_frame_as_jpeg():
    shot = prepare(s.png("RGBA"), "截图.png", LIMITS)
    assert (shot.content_type, shot.name) == ("image/png", "截图.png")
    assert Image.open(io.BytesIO(shot.data)).mode == "RGBA"
    gif = prepare(s.animated_gif(), "动图.gif", LIMITS)
    assert (gif.content_type, gif.extension, gif.name) == ("image/jpeg", "jpg", "动图.jpg")
    assert getattr(Image.open(io.BytesIO(gif.data)), "n_frames", 1) == 1


def test_recordings_are_kept_as_sent_with_their_real_type():
    wav = s.wav_recording()
    kept = prepare(wav, "通话录音", LIMITS)
    assert (kept.kind, kept.content_type, kept.name, kept.data) == ("audio", "audio/x-wav", "通话录音.wav", wav)
    mp3 = prepare(s.MP3_WITH_ID3, "录音.amr", LIMITS)  # the name says amr, the bytes say mp3
    assert (mp3.content_type, mp3.name, mp3.thumbnail) == ("audio/mpeg", "录音.mp3", None)


@pytest.mark.parametrize(("data", "name"), [
    (s.SCRIPT_AS_JPG, "photo.jpg"),
    (s.SVG_WITH_SCRIPT, "map.svg"),
    (s.SVG_WITH_SCRIPT, "map.png"),
    (s.HTML_AS_PNG, "image.png"),
    (s.ZIP_FILE, "photos.jpg"),
    (b"%PDF-1.7\n1 0 obj", "证明.pdf"),
], ids=["script renamed jpg", "svg", "svg renamed png", "html renamed png", "zip", "pdf"])
def test_anything_but_a_photo_or_a_recording_is_refused_as_unsupported(data, name):
    with pytest.raises(UploadRefused) as refused:
        prepare(data, name, LIMITS)
    assert refused.value.status == 415
    assert "只能上传照片" in refused.value.message


def test_a_decompression_bomb_is_refused_on_its_header_before_any_pixel_is_decoded():
    bomb = s.png_bomb()
    assert len(bomb) < 1000
    with pytest.raises(UploadRefused) as refused:
        prepare(bomb, "bomb.png", LIMITS)
    assert (refused.value.status, refused.value.message) == (413, "图片尺寸过大，请换一张或截图后上传")


def test_a_photo_over_the_countys_pixel_limit_is_refused_with_its_size():
    with pytest.raises(UploadRefused) as refused:
        prepare(s.png_bomb(12_000, 6_000), "pano.png", LIMITS)  # 72 MP: under Pillow's own line, over ours
    assert refused.value.status == 413
    assert refused.value.message == "图片尺寸过大（12000×6000），请换一张或截图后上传"


def test_a_damaged_photo_and_an_empty_file_say_what_to_do():
    with pytest.raises(UploadRefused) as damaged:
        prepare(s.truncated_jpeg(), "x.jpg", LIMITS)
    assert (damaged.value.status, damaged.value.message) == (415, "图片已损坏或无法识别，请重新拍照或换一张")
    with pytest.raises(UploadRefused) as empty:
        prepare(b"", "x.jpg", LIMITS)
    assert (empty.value.status, empty.value.message) == (400, "文件是空的，请重新选择")


def test_size_limits_are_per_kind():
    small = Limits(image_bytes=1000, audio_bytes=2000, max_pixels=50_000_000)
    with pytest.raises(UploadRefused) as refused:
        prepare(s.phone_photo(), "a.jpg", small)
    assert refused.value.status == 413 and "图片不能超过" in refused.value.message
    with pytest.raises(UploadRefused) as refused:
        prepare(s.wav_recording(1.0), "a.wav", small)
    assert refused.value.status == 413 and "录音不能超过" in refused.value.message


@pytest.mark.parametrize(("raw", "extension", "kept"), [
    ("../../etc/passwd", "jpg", "passwd.jpg"),
    ("C:\\Users\\王\\Desktop\\井盖.JPG", "jpg", "井盖.jpg"),
    ("shell.php", "jpg", "shell.jpg"),
    ('a"b;c\r\nSet-Cookie: x=1.png', "png", "abcSet-Cookie x=1.png"),
    ("照片.jpg.exe", "jpg", "照片.jpg.jpg"),
    ("🚧路面塌陷🚧.jpeg", "jpg", "🚧路面塌陷🚧.jpg"),
    ("", "wav", "附件.wav"),
    (None, "jpg", "附件.jpg"),
    ("...", "jpg", "附件.jpg"),
    ("长" * 300 + ".jpg", "jpg", "长" * 76 + ".jpg"),
])
def test_the_senders_name_is_kept_without_paths_quotes_or_a_false_extension(raw, extension, kept):
    assert safe_name(raw, extension) == kept
