"""Photos: checked, cleaned and kept outside the event log, each file named by its SHA-256.

A photo is decoded with Pillow from its bytes (its real format, whatever its
name says), turned upright by its EXIF orientation and re-encoded as a JPEG
from its pixels alone: no EXIF (location, device, time), XMP, ICC profile or
comment survives. The long side is capped and a thumbnail made beside it.
Anything that is not a JPEG, PNG, WebP or HEIC photo, is larger than
`MAX_BYTES`, decodes to more than `MAX_PIXELS` (a decompression bomb), is
damaged or truncated, or whose name claims another format is refused before
anything is written.

The store keeps `<root>/<aa>/<sha256>.jpg` and `<sha256>.thumb.jpg`, and for
each file the things that hold it (`<root>/refs/<sha256>/<holder>`, empty
files): two cases may hold the same picture, and erasing one person's case
destroys the file only when nothing else holds it.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pillow_heif
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024  # per file, as uploaded
MAX_PHOTOS = 3  # per case (the citizen's), per reply, per report
MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; a bomb does not
LONG_SIDE = 2048  # pixels, the original as kept
THUMB_SIDE = 320  # pixels, the thumbnail's long side
QUALITY = 85
# The formats taken, as Pillow names them, and the names a file of each may have.
SUFFIXES = {
    "JPEG": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "PNG": (".png",),
    "WEBP": (".webp",),
    "HEIF": (".heic", ".heif", ".hif"),
}
SHA256 = re.compile(r"^[0-9a-f]{64}$")
HOLDER = re.compile(r"^[0-9A-Za-z._-]{1,80}$")

pillow_heif.register_heif_opener()
# Pillow warns past MAX_IMAGE_PIXELS and refuses past twice that; `_decode` refuses past it
# too, from the size in the header, before a pixel is decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoError(ValueError):
    """An upload that is not taken; `code` says why (shown to the person in their language)."""

    def __init__(self, code: str, name: str = "") -> None:
        self.code, self.name = code, name
        super().__init__(f"{code}: {name}")


@dataclass(frozen=True)
class Photo:
    """A cleaned photo, ready to be kept: its name is the SHA-256 of `data`."""

    sha256: str
    data: bytes
    thumb: bytes
    width: int
    height: int


def clean(data: bytes, name: str = "") -> Photo:
    """The photo re-encoded without metadata, or PhotoError (nothing is written either way)."""
    if len(data) > MAX_BYTES:
        raise PhotoError("too_big", name)
    if not data:
        raise PhotoError("empty", name)
    try:
        image = _decode(data, name)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PhotoError("bomb", name) from error  # (the warning, where warnings are errors)
    pixels = _plain_pixels(image)
    pixels.thumbnail((LONG_SIDE, LONG_SIDE), Image.Resampling.LANCZOS)
    full = _jpeg(pixels)
    small = pixels.copy()
    small.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Photo(hashlib.sha256(full).hexdigest(), full, _jpeg(small), *pixels.size)


def _decode(data: bytes, name: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data), formats=list(SUFFIXES))
    except UnidentifiedImageError as error:
        raise PhotoError("not_image", name) from error
    suffix = os.path.splitext(name)[1].lower()
    if suffix and image.format is not None and suffix not in SUFFIXES[image.format]:
        raise PhotoError("wrong_type", name)  # e.g. a PNG named .jpg, or a file named .heic
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise PhotoError("bomb", name)
    if image.format == "JPEG":  # decoded at 1/2, 1/4 or 1/8 by the decoder itself, when the
        scale = 1  # photo is that much larger than what is kept: a phone's 12 MP photo in a
        while scale < 8 and max(width, height) // (scale * 2) >= LONG_SIDE * 0.9:  # third
            scale *= 2  # of the time (its long side kept at 2016 px, not 2048)
        image.draft(None, (width // scale, height // scale))
    try:
        image.load()  # a truncated or damaged file fails here, not later
        return ImageOps.exif_transpose(image)  # upright, as the phone showed it
    except (OSError, SyntaxError, ValueError) as error:
        raise PhotoError("damaged", name) from error


def _plain_pixels(image: Image.Image) -> Image.Image:
    """RGB pixels in a new image: nothing of the file's metadata (info) comes along.
    Transparency is laid on white (a JPEG has none)."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        base = Image.new("RGB", rgba.size, (255, 255, 255))
        base.paste(rgba, mask=rgba.getchannel("A"))
        return base
    rgb = image.convert("RGB")
    plain = Image.new("RGB", rgb.size)
    plain.paste(rgb)
    return plain


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


class PhotoStore:
    """Content-addressed files under `root`, with the holders of each."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str, thumb: bool = False) -> Path | None:
        """Where the file of this hash is, if it is kept (None: no such photo, or a bad name)."""
        if not SHA256.match(sha256):
            return None
        path = self.root / sha256[:2] / (f"{sha256}.thumb.jpg" if thumb else f"{sha256}.jpg")
        return path if path.is_file() else None

    def put(self, photo: Photo, holder: str) -> bool:
        """Keep the photo (once, whoever else holds it) and note that `holder` holds it.
        True: `holder` did not hold it before."""
        _check_holder(holder)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)  # like instance/: owner only
        folder = self.root / photo.sha256[:2]
        folder.mkdir(mode=0o700, exist_ok=True)
        _write(folder / f"{photo.sha256}.jpg", photo.data)
        _write(folder / f"{photo.sha256}.thumb.jpg", photo.thumb)
        refs = self._refs(photo.sha256)
        refs.parent.mkdir(mode=0o700, exist_ok=True)
        refs.mkdir(mode=0o700, exist_ok=True)
        try:
            (refs / holder).touch(mode=0o600, exist_ok=False)
        except FileExistsError:
            return False
        return True

    def release(self, sha256: str, holder: str) -> bool:
        """`holder` no longer holds the photo; the files go once nothing holds it. True: gone."""
        if not SHA256.match(sha256):
            return False
        _check_holder(holder)
        refs = self._refs(sha256)
        (refs / holder).unlink(missing_ok=True)
        if refs.is_dir() and any(refs.iterdir()):
            return False
        shutil.rmtree(refs, ignore_errors=True)
        for name in (f"{sha256}.jpg", f"{sha256}.thumb.jpg"):
            (self.root / sha256[:2] / name).unlink(missing_ok=True)
        return True

    def holders(self, sha256: str) -> list[str]:
        refs = self._refs(sha256)
        return sorted(p.name for p in refs.iterdir()) if refs.is_dir() else []

    def _refs(self, sha256: str) -> Path:
        return self.root / "refs" / sha256


@contextmanager
def kept(store: PhotoStore | None, photos: Sequence[Photo], holder: str) -> Iterator[list[str]]:
    """The photos kept for `holder` while the event naming them is saved: their hashes.
    If the save fails, what this put there is taken away again (what `holder` held
    already stays)."""
    if not photos:
        yield []
        return
    if store is None:
        raise PhotoError("off")
    new = [p.sha256 for p in photos if store.put(p, holder)]
    try:
        yield [p.sha256 for p in photos]
    except BaseException:
        for sha256 in new:
            store.release(sha256, holder)
        raise


def _check_holder(holder: str) -> None:
    if not HOLDER.match(holder):
        raise ValueError(f"not a holder's name: {holder!r}")


def _write(path: Path, data: bytes) -> None:
    """Whole or not at all (a reader never sees half a file), readable by the owner only."""
    if path.is_file():
        return  # the same name is the same bytes
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".part-")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
