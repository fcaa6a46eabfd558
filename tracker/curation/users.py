"""Who may do what: users in a TOML file (scrypt-hashed passwords) with a role.

Roles: viewer, editor (may propose) and reviewer (may propose and review). There is no
function that changes a role from inside the app: only ``tracker users add`` (someone with
write access to the file) can.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from tracker.errors import AuthenticationError, CurationError

ROLES = ("viewer", "editor", "reviewer")
PROPOSE_ROLES = frozenset({"editor", "reviewer"})
REVIEW_ROLES = frozenset({"reviewer"})
USER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def can_propose(self) -> bool:
        return self.role in PROPOSE_ROLES

    @property
    def can_review(self) -> bool:
        return self.role in REVIEW_ROLES


def hash_password(password: str, *, salt: bytes | None = None, n: int = 2**14, r: int = 8, p: int = 1) -> str:
    """scrypt with a random 16-byte salt: ``scrypt$n$r$p$salt$hash`` (base64)."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${n}${r}${p}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of ``password`` against a ``hash_password`` string."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@cache
def _dummy_hash() -> str:
    """Checked for unknown users too, so timing does not reveal which names exist."""
    return hash_password("not a real password", salt=b"\0" * 16)


def users_file(path: Path | str | None = None) -> Path:
    if path is not None:
        return Path(path)
    from tracker.settings import get_settings

    configured = get_settings().users_file
    if configured is None:
        raise CurationError("no users file configured: set TRACKER_USERS_FILE")
    return configured


def read_users(path: Path | str | None = None) -> dict[str, dict[str, str]]:
    """name -> {role, password} from the users file (a missing file means no users)."""
    file = users_file(path)
    if not file.exists():
        return {}
    try:
        data = tomllib.loads(file.read_text("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CurationError(f"{file}: not a valid users file ({exc})") from None
    users = data.get("users", {})
    out = {}
    for name, entry in users.items():
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or "password" not in entry:
            raise CurationError(f"{file}: user {name!r} needs a role ({', '.join(ROLES)}) and a password hash")
        out[name] = {"role": entry["role"], "password": entry["password"]}
    return out


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def add_user(name: str, role: str, password: str, *, path: Path | str | None = None, replace: bool = False) -> User:
    """Add a user to the users file (written atomically, mode 600). Refuses to overwrite an
    existing user unless ``replace`` (the administrator's command-line decision)."""
    if not USER_NAME.match(name or ""):
        raise CurationError(f"bad user name {name!r}: 2-32 of a-z 0-9 _ . - starting with a letter")
    if role not in ROLES:
        raise CurationError(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    if len(password or "") < MIN_PASSWORD:
        raise CurationError(f"password too short (at least {MIN_PASSWORD} characters)")
    file = users_file(path)
    users = read_users(file)
    if name in users and not replace:
        raise CurationError(f"user {name!r} exists already (use --replace to reset their role and password)")
    users[name] = {"role": role, "password": hash_password(password)}
    lines = [
        "# Cyber Norms Alignment Tracker users, written by `tracker users add`.",
        "# Passwords are scrypt hashes; roles: viewer, editor, reviewer.",
        "",
    ]
    for user_name in sorted(users):
        entry = users[user_name]
        lines += [
            f"[users.{_toml_str(user_name)}]",
            f"role = {_toml_str(entry['role'])}",
            f"password = {_toml_str(entry['password'])}",
            "",
        ]
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(file.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    os.replace(tmp, file)
    return User(name, role)


def authenticate(name: str, password: str, *, path: Path | str | None = None) -> User:
    """The user with this name and password, role as written in the users file."""
    entry = read_users(path).get(name or "")
    ok = verify_password(password or "", entry["password"] if entry else _dummy_hash())
    if not entry or not ok:
        raise AuthenticationError("unknown user or wrong password")
    return User(name, entry["role"])
