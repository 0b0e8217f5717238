"""The secret that seals the audit trail: an HMAC key kept outside the database.

A hash chain alone shows an edited event, but anyone who can write the database can recompute
every hash after an edit. Each event also carries ``HMAC-SHA256(key, hash)``; without the key
a rewritten trail cannot carry valid MACs. The key comes from ``WASTESCREEN_AUDIT_KEY`` or the
file ``audit.key`` under the var folder (created with owner-only permissions on first use).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets

from wastescreen.core.settings import Settings


def audit_key(settings: Settings) -> bytes:
    """The key bytes (the setting's text, or the key file's, made on first use)."""
    if settings.audit_key:
        return settings.audit_key.encode("utf-8")
    path = settings.audit_key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
    return path.read_text("ascii").strip().encode("utf-8")


def mac_of(key: bytes, event_hash: str) -> str:
    """HMAC-SHA256 (hex) of an event's hash."""
    return hmac.new(key, event_hash.encode("ascii"), hashlib.sha256).hexdigest()
