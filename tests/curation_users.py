"""The test users of the curation tests, written to a users file that TRACKER_USERS_FILE names.

Every write re-reads the acting user's role from that file, so curation tests need one. The
hashes use a small scrypt cost (the cost is stored in each hash) to keep the tests fast.
"""

from __future__ import annotations

import json
from pathlib import Path

from tracker.curation import User, hash_password

ALICE, CAROL = User("alice", "editor"), User("carol", "editor")
BOB, DAVE = User("bob", "reviewer"), User("dave", "reviewer")
VERA = User("vera", "viewer")
TEST_USERS = (ALICE, CAROL, BOB, DAVE, VERA)


def password_of(name: str) -> str:
    return f"{name}-password"


def write_users(path: Path, users: dict[str, str]) -> Path:
    """Write ``{name: role}`` (password ``NAME-password``) as a users file at ``path``."""
    lines = []
    for name, role in users.items():
        hashed = hash_password(password_of(name), n=2**4)
        lines += [f"[users.{json.dumps(name)}]", f"role = {json.dumps(role)}", f"password = {json.dumps(hashed)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def install_users(tmp_path: Path, monkeypatch, users: dict[str, str] | None = None) -> Path:
    """Write the users file (default: the five test users) and point TRACKER_USERS_FILE at it."""
    path = write_users(tmp_path / "users.toml", users or {u.name: u.role for u in TEST_USERS})
    monkeypatch.setenv("TRACKER_USERS_FILE", str(path))
    return path
