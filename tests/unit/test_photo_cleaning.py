"""Photos are decoded from their bytes, turned upright, stripped of every metadata and
re-encoded; anything else is refused before a byte is written."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from PIL import Image

from application.photos import (
    LONG_SIDE,
    MAX_BYTES,
    MAX_PIXELS,
    THUMB_SIDE,
    PhotoError,
    PhotoStore,
    clean,
)
from tests.photos import (
    EXIF_MARKERS,
    heic,
    noisy_jpeg,
    phone_jpeg,
    plain,
    png_claiming,
    truncated_jpeg,
)


def test_a_phone_jpeg_loses_its_gps_device_comment_xmp_and_icc_profile() -> None:
    original = phone_jpeg()
    assert all(marker in original for marker in EXIF_MARKERS)  # the planted metadata is there
    photo = clean(original, "IMG_0001.JPG")
    for stored in (photo.data, photo.thumb):
        for marker in EXIF_MARKERS:
            assert marker not in stored, marker
        reread = Image.open(io.BytesIO(stored))
        assert dict(reread.getexif()) == {}
        assert reread.getexif().get_ifd(0x8825) == {}
        assert not {"exif", "icc_profile", "comment", "xmp"} & set(reread.info)


def test_the_exif_orientation_is_applied_to_the_pixels() -> None:
    photo = clean(phone_jpeg(size=(400, 200), orientation=6), "a.jpg")
    assert (photo.width, photo.height) == (200, 400)  # turned a quarter, as the phone showed it
    upright = Image.open(io.BytesIO(photo.data)).convert("RGB")
    # the yellow corner that lay top left now lies top right
    r, g, b = upright.getpixel((190, 10))  # type: ignore[misc]
    assert r > 200 and g > 200 and b < 80


def test_the_file_is_named_by_the_sha256_of_the_re_encoded_bytes_and_made_again_the_same() -> None:
    first, again = clean(phone_jpeg(), "a.jpg"), clean(phone_jpeg(), "b.jpeg")
    assert first.sha256 == hashlib.sha256(first.data).hexdigest() == again.sha256


def test_the_long_side_is_capped_and_a_thumbnail_made() -> None:
    photo = clean(noisy_jpeg(size=(3000, 1500), quality=50), "big.jpg")
    assert (photo.width, photo.height) == (LONG_SIDE, LONG_SIDE // 2)
    assert Image.open(io.BytesIO(photo.thumb)).size == (THUMB_SIDE, THUMB_SIDE // 2)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (plain("PNG"), "screen.png"),
        (plain("PNG", mode="RGBA"), "clear.png"),
        (plain("WEBP"), "shared.webp"),
        (heic(), "IMG_0002.HEIC"),
        (plain("PNG"), "no-extension"),
    ],
    ids=["png", "png-alpha", "webp", "heic", "unnamed"],
)
def test_png_webp_and_heic_from_phones_are_taken_as_jpeg(data: bytes, name: str) -> None:
    photo = clean(data, name)
    assert Image.open(io.BytesIO(photo.data)).format == "JPEG"


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"%PDF-1.7 not a photo at all", "scan.jpg", "not_image"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.svg", "not_image"),
        (plain("GIF"), "anim.gif", "not_image"),  # a format not taken
        (plain("PNG"), "photo.jpg", "wrong_type"),  # the name claims another format
        (phone_jpeg(), "photo.heic", "wrong_type"),
        (phone_jpeg(), "photo.exe", "wrong_type"),
        (truncated_jpeg(), "cut.jpg", "damaged"),
        (png_claiming(100_000, 100_000), "bomb.png", "bomb"),  # past twice the limit
        (png_claiming(8_000, 7_000), "bomb.png", "bomb"),  # past the limit, under twice it
        (b"", "empty.jpg", "empty"),
        (b"\xff\xd8\xff" + bytes(MAX_BYTES), "huge.jpg", "too_big"),
    ],
    ids=[
        "pdf",
        "svg",
        "gif",
        "png-as-jpg",
        "jpg-as-heic",
        "exe",
        "truncated",
        "bomb",
        "bomb-under-twice",
        "empty",
        "over-10MB",
    ],
)
def test_what_is_not_a_whole_photo_of_a_taken_format_is_refused(
    data: bytes, name: str, code: str
) -> None:
    assert MAX_PIXELS < 8_000 * 7_000
    with pytest.raises(PhotoError) as refused:
        clean(data, name)
    assert refused.value.code == code


def test_the_store_keeps_one_file_per_hash_and_drops_it_when_its_last_holder_lets_go(
    tmp_path: Path,
) -> None:
    store = PhotoStore(tmp_path / "photos")
    photo = clean(phone_jpeg(), "a.jpg")
    store.put(photo, "case-1")
    store.put(photo, "case-2")  # the same picture in another case
    path, thumb = store.path(photo.sha256), store.path(photo.sha256, thumb=True)
    assert path is not None and thumb is not None
    assert path.read_bytes() == photo.data and path.stat().st_mode & 0o077 == 0
    assert store.holders(photo.sha256) == ["case-1", "case-2"]
    assert store.release(photo.sha256, "case-1") is False
    assert store.path(photo.sha256) is not None
    assert store.release(photo.sha256, "case-2") is True
    assert store.path(photo.sha256) is None and store.path(photo.sha256, thumb=True) is None
    assert [p for p in (tmp_path / "photos").rglob("*") if p.is_file()] == []


def test_the_store_answers_no_path_for_a_name_that_is_not_a_hash(tmp_path: Path) -> None:
    store = PhotoStore(tmp_path)
    (tmp_path / "secret.jpg").write_bytes(b"x")
    for name in ("../secret", "secret", "A" * 64, "0" * 63):
        assert store.path(name) is None


def test_a_large_jpeg_is_decoded_at_a_fraction_and_still_capped() -> None:
    twelve_mp = clean(noisy_jpeg(size=(4032, 3024), quality=30), "IMG_12MP.jpg")
    assert (twelve_mp.width, twelve_mp.height) == (2016, 1512)  # decoded at half its size
    larger = clean(noisy_jpeg(size=(4400, 3300), quality=30), "big.jpg")
    assert max(larger.width, larger.height) == LONG_SIDE  # half of it is over the cap
