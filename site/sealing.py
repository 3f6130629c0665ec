"""What the session cookie holds about a citizen is sealed, not just signed.

Flask's session cookie is signed (no one can change it) but readable by anyone
who sees it (base64 JSON). A verified contact, a case number and its query code
go in only sealed with AES-GCM under a key derived from SECRET_KEY, bound to
their purpose (a sealed contact cannot be replayed as a case proof) and to a
time after which they no longer open.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app


def _key() -> bytes:
    secret = current_app.config["SECRET_KEY"].encode()
    return hashlib.sha256(b"minsheng-session-seal:" + secret).digest()


def seal(purpose: str, data: dict[str, Any], seconds: float) -> str:
    """`data` encrypted for `purpose`, opening for `seconds` from now."""
    nonce = os.urandom(12)
    body = {**data, "until": time.time() + seconds}
    sealed = AESGCM(_key()).encrypt(nonce, json.dumps(body).encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(purpose: str, sealed: Any) -> dict[str, Any] | None:
    """What `seal(purpose, ...)` put in; None if absent, forged, of another purpose or expired."""
    if not isinstance(sealed, str) or not sealed:
        return None
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        data = json.loads(AESGCM(_key()).decrypt(raw[:12], raw[12:], purpose.encode()))
    except (InvalidTag, ValueError):
        return None
    if not isinstance(data, dict) or data.get("until", 0) <= time.time():
        return None
    return data
