"""The cost of a photo: a case filed with a phone's photo vs the same form without one.

python -m bench.photos [--cases 40] [--photos 1]
One client (keep-alive, its own session) against gunicorn as the Procfile runs it
files cases through `/cases/new`, alternately with and without photos (a 12-megapixel
JPEG of ~7 MB as phones take them, made here with Pillow: decoded, turned upright,
stripped, re-encoded at 2016 px and a thumbnail, kept under its SHA-256), so both kinds
meet the same server in the same state. Prints ms per POST of each kind and their ratio.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from application.plan_file import load_plan_file
from bench.common import ROOT, Gunicorn, machine, save
from bench.reports import Client
from minsheng_site import create_app


def phone_photo(n: int) -> bytes:
    """A 4032 × 3024 JPEG at quality 90 with detail everywhere (~7 MB): each one different,
    so that no two cases share a file."""
    size = (4032, 3024)
    ramp = Image.linear_gradient("L").resize(size)
    noise = Image.effect_noise(size, 40 + n % 20)
    image = Image.merge("RGB", (ramp, noise, Image.blend(ramp, noise, 0.5)))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def fields(n: int, token: str) -> dict[str, str]:
    return {
        "csrf_token": token,
        "title": "路灯不亮",
        "category": "城市管理",
        "district": "梁溪区",
        "content": f"小区门口两盏路灯不亮已两周（第{n}件）。",
        "name": "测试市民",
        "phone": f"139{n:08d}",
        "address": "清扬路口东侧",
        "consent": "y",
        "photo_consent": "y",
    }


def post(client: Client, form: dict[str, str], photos: list[bytes]) -> float:
    """One multipart POST of the case form (with or without files); its milliseconds."""
    data = MultiDict(form)
    for n, photo in enumerate(photos):
        data.add("photos", FileStorage(io.BytesIO(photo), filename=f"IMG_{n}.JPG"))
    boundary, body = encode_multipart(data)
    headers = {
        "Cookie": client.cookie,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    started = time.perf_counter()
    client.connection.request("POST", "/cases/new", body=body, headers=headers)
    response = client.connection.getresponse()
    response.read()
    took = (time.perf_counter() - started) * 1000
    assert response.status == 303, f"answered {response.status}"
    return took


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=40, help="of each kind")
    parser.add_argument("--photos", type=int, default=1, help="per case with photos (1-3)")
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="minsheng-bench-photos-"))
    env = {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": "bench",
        "PROJECTOR_THREAD": "0",
        "CASE_LIMIT_PER_ADDRESS": "100000 per hour",
    }
    os.environ.update(env)
    app = create_app()
    services = app.extensions["minsheng"]
    services.ledger.register_plan(load_plan_file(ROOT / "plans" / "2023" / "plan.yaml"), "bench")
    services.close()
    photos = [phone_photo(n) for n in range(args.cases * args.photos)]
    server = Gunicorn(env)
    timings: dict[str, list[float]] = {"with photos": [], "without": []}
    try:
        client = Client(server.port)
        _, html = client.request("GET", "/cases/new")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)[1]  # type: ignore[index]
        for n in range(args.cases):
            shots = photos[n * args.photos : (n + 1) * args.photos]
            timings["with photos"].append(post(client, fields(2 * n, token), shots))
            timings["without"].append(post(client, fields(2 * n + 1, token), []))
    finally:
        server.stop()
    kept = sum(p.stat().st_size for p in (instance / "photos").rglob("*.jpg"))
    mb = statistics.mean(len(p) for p in photos) / 1e6
    print(f"machine: {machine()}")
    print(f"gunicorn 2 sync workers, SQLite, 1 client, {args.cases} cases of each kind")
    print(f"each photo: 4032 x 3024 JPEG, {mb:.1f} MB; {args.photos} per case with photos\n")
    print(f"{'':24} {'ms p50':>8} {'ms mean':>8} {'ms p90':>8}")
    figures = {}
    for kind, ms in timings.items():
        ms.sort()
        figures[kind] = {
            "p50_ms": statistics.median(ms),
            "mean_ms": statistics.mean(ms),
            "p90_ms": ms[int(len(ms) * 0.9) - 1],
        }
        f = figures[kind]
        print(f"{kind:24} {f['p50_ms']:8.1f} {f['mean_ms']:8.1f} {f['p90_ms']:8.1f}")
    ratio = figures["with photos"]["p50_ms"] / figures["without"]["p50_ms"]
    per_photo = (figures["with photos"]["p50_ms"] - figures["without"]["p50_ms"]) / args.photos
    print(f"\nratio (with photos / without, p50): {ratio:.2f}; ~{per_photo:.0f} ms per photo")
    print(f"kept in the photo store: {kept / 1e6:.1f} MB for {len(photos)} photos and thumbnails")
    save("photos", {"machine": machine(), "figures": figures, "photos_per_case": args.photos})


if __name__ == "__main__":
    main()
