"""What an uploaded file really is, and the copy of it we keep: photos re-encoded without their metadata.

Why: a file's name and its declared type are whatever the sender says (a script renamed .jpg, an SVG that runs
script, an HTML page sent as image/png), so the type is read from the bytes, and only photos and sound are kept.
A photo from a phone carries its GPS position and camera in EXIF: a citizen's home, on a file that staff and
Open311 apps pass around. Every image is decoded and written again as a plain JPEG or PNG (Pillow), which keeps
the pixels and nothing else, turned upright first; a decompression bomb is refused on its declared size before
any pixel is decoded. Sound is kept as sent (it is only ever served back as a download of its checked type).
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/bmp"}
AUDIO_TYPES = {"audio/mpeg": "mp3", "audio/x-wav": "wav", "audio/wav": "wav", "audio/mp4": "m4a",
               "audio/amr": "amr", "audio/ogg": "ogg", "audio/aac": "aac", "audio/x-flac": "flac"}
LONGEST_SIDE = 2560  # a phone photo of 4000 px is downscaled: plenty to see a pothole, a quarter of the bytes
THUMB_SIDE = 320
NAME_CHARS = 80
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|;]")


class UploadRefused(Exception):
    """A 4xx with a message the sender can act on, in Chinese (citizens see it)."""

    def __init__(self, message: str, status: int = 415) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Limits:
    image_bytes: int
    audio_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class Prepared:
    kind: str  # image, audio
    content_type: str
    extension: str
    data: bytes
    name: str  # for Content-Disposition and the list only; never a storage key
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None


def safe_name(raw: str | None, extension: str) -> str:
    """The sender's file name without any path, control or quoting characters or its own extension, at most 80
    characters, ending in the extension of what the file really is (a JPEG sent as 照片.jpg.exe is 照片.jpg.jpg)."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", raw or ""))[-1]
    base = _UNSAFE_NAME.sub("", base.rsplit(".", 1)[0] if "." in base else base).strip(" .")
    stem = base[: NAME_CHARS - len(extension) - 1] or "附件"
    return f"{stem}.{extension}"


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def prepare(data: bytes, raw_name: str | None, limits: Limits) -> Prepared:
    """Check and convert one upload; raises UploadRefused with the reason."""
    if not data:
        raise UploadRefused("文件是空的，请重新选择", 400)
    kind = filetype.guess(data)
    mime = kind.mime if kind else ""
    if mime in IMAGE_TYPES:
        if len(data) > limits.image_bytes:
            raise UploadRefused(f"图片不能超过 {_mb(limits.image_bytes)}", 413)
        return _image(data, raw_name, limits)
    if mime in AUDIO_TYPES:
        if len(data) > limits.audio_bytes:
            raise UploadRefused(f"录音不能超过 {_mb(limits.audio_bytes)}", 413)
        ext = AUDIO_TYPES[mime]
        return Prepared("audio", "audio/mp4" if ext == "m4a" else mime, ext, data, safe_name(raw_name, ext))
    raise UploadRefused("只能上传照片（JPG、PNG、WebP、GIF、BMP）或录音（MP3、WAV、M4A、AMR、OGG、AAC、FLAC），"
                        "这个文件不是其中一种")


def _image(data: bytes, raw_name: str | None, limits: Limits) -> Prepared:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            width, height = img.size
            if width * height > limits.max_pixels:  # read from the header: nothing decoded yet
                raise UploadRefused(f"图片尺寸过大（{width}×{height}），请换一张或截图后上传", 413)
            img.load()
            img = ImageOps.exif_transpose(img)
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:  # Pillow's own, far larger line
        raise UploadRefused("图片尺寸过大，请换一张或截图后上传", 413) from exc
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise UploadRefused("图片已损坏或无法识别，请重新拍照或换一张", 415) from exc
    if getattr(img, "n_frames", 1) > 1:
        img.seek(0)  # an animated GIF keeps its first frame: a photo of the place, not a clip
    keep_alpha = img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA" if keep_alpha else "RGB")
    img.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
    out = io.BytesIO()
    if keep_alpha:  # a screenshot with transparency stays a PNG
        img.save(out, "PNG", optimize=True)
        content_type, ext = "image/png", "png"
    else:
        img.save(out, "JPEG", quality=85, optimize=True)
        content_type, ext = "image/jpeg", "jpg"
    thumb = img.convert("RGB")
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
    tout = io.BytesIO()
    thumb.save(tout, "JPEG", quality=80)
    return Prepared("image", content_type, ext, out.getvalue(), safe_name(raw_name, ext), tout.getvalue(),
                    img.width, img.height)
