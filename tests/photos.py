"""Photos for tests, made here with Pillow: real files, planted metadata, and hostile ones."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image

# Planted in every photo `phone_jpeg` makes: none may survive in a stored file.
DEVICE = "CANARY-PHONE-X9"
MAKER = "CanaryMakerCo"
COMMENT = b"CANARY-COMMENT-7Q"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">CANARY-XMP-GPS 31.5701N 120.3010E</x:xmpmeta>'
ICC = b"CANARY-ICC-PROFILE" * 8
GPS = {1: "N", 2: (31.0, 34.0, 12.3456), 3: "E", 4: (120.0, 18.0, 5.4321)}
# Bytes that would only be there if EXIF (or its GPS part) was copied: the APP1 header,
# and the GPS latitude's first rational as TIFF writes it (little-endian 31/1).
EXIF_MARKERS = (b"Exif\x00\x00", DEVICE.encode(), MAKER.encode(), COMMENT, b"CANARY-XMP", ICC[:18])


def phone_jpeg(
    size: tuple[int, int] = (400, 200),
    colour: tuple[int, int, int] = (10, 120, 200),
    orientation: int = 6,
) -> bytes:
    """A JPEG as a phone writes one: GPS position, device, a comment, XMP, an ICC profile,
    and an orientation (6: the pixels lie on their side, to be turned 90° clockwise)."""
    image = Image.new("RGB", size, colour)
    image.paste((250, 250, 0), (0, 0, size[0] // 4, size[1] // 4))  # a corner to find again
    exif = Image.Exif()
    exif[0x010F] = MAKER
    exif[0x0110] = DEVICE
    exif[0x0112] = orientation
    exif.get_ifd(0x8825).update(GPS)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=COMMENT, icc_profile=ICC, xmp=XMP)
    return out.getvalue()


def plain(fmt: str, size: tuple[int, int] = (300, 200), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, (200, 30, 30, 128)[: len(mode)] if mode != "L" else 128)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def heic(size: tuple[int, int] = (320, 240)) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return plain("HEIF", size)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` × `height` pixels: a decompression bomb
    (decoding it would take width × height bytes; the file is a few dozen)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _chunk(b"IEND", b"")
    )


def noisy_jpeg(size: tuple[int, int] = (800, 600), quality: int = 95) -> bytes:
    """A JPEG of noise: its scan data is most of the file (and does not compress)."""
    image = Image.frombytes("RGB", size, random.Random(7).randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def truncated_jpeg() -> bytes:
    whole = noisy_jpeg()
    return whole[: len(whole) // 2]
