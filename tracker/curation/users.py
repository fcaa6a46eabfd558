"""Who may do what: users in a TOML file (scrypt-hashed passwords) with a role.

Roles: viewer, editor (may propose) and reviewer (may propose and review). There is no
function that changes a role from inside the app: only ``tracker users add`` (someone with
write access to the file) can.

A signed-in ``User`` is only a claim: every write re-reads the users file (``current_user``),
so a user who was removed, demoted or had their password reset since signing in is refused
(an app session lives for hours; the file is the authority).
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
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tracker.errors import AuthenticationError, CurationError, PermissionDenied

ROLES = ("viewer", "editor", "reviewer")
PROPOSE_ROLES = frozenset({"editor", "reviewer"})
REVIEW_ROLES = frozenset({"reviewer"})
USER_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}\Z")
NAME_RULE = "2-32 of a-z 0-9 _ . - starting with a letter"
MIN_PASSWORD = 8


@dataclass(frozen=True)
class User:
    name: str
    role: str
    # a fingerprint of the password hash the user signed in with ("" when built in code, e.g. by
    # a script that checked the password itself): a password reset ends sessions that carry one
    credential: str = field(default="", compare=False, repr=False)

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
        if not USER_NAME.match(name):
            raise CurationError(f"{file}: bad user name {name!r}: {NAME_RULE}")  # repr escapes controls
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
        raise CurationError(f"bad user name {name!r}: {NAME_RULE}")
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


def _fingerprint(stored_hash: str) -> str:
    return hashlib.sha256(stored_hash.encode("utf-8")).hexdigest()[:32]


def authenticate(name: str, password: str, *, path: Path | str | None = None, engine=None) -> User:
    """The user with this name and password, role as written in the users file.

    Failed attempts are counted per name in the database and back off exponentially
    (``tracker.curation.signin``), so guessing is slow for every process that signs people in."""
    from tracker.curation import signin

    name = name or ""
    users = read_users(path)
    if not USER_NAME.match(name):  # never a user: refused without touching the database
        verify_password(password or "", _dummy_hash())
        raise AuthenticationError("unknown user or wrong password")
    signin.begin_attempt(name, engine=engine)
    entry = users.get(name)
    ok = verify_password(password or "", entry["password"] if entry else _dummy_hash())
    if not entry or not ok:
        raise AuthenticationError("unknown user or wrong password")
    signin.succeeded(name, engine=engine)
    return User(name, entry["role"], credential=_fingerprint(entry["password"]))


def _checked_entry(user: User, path: Path | str | None) -> dict[str, str]:
    entry = read_users(path).get(user.name)
    if entry is None:
        raise PermissionDenied(f"{user.name} is no longer in the users file; nothing was changed")
    return entry


def _check_credential(user: User, entry: dict[str, str]) -> None:
    if user.credential and user.credential != _fingerprint(entry["password"]):
        raise PermissionDenied(f"the password of {user.name} was changed since sign-in; sign in again")


def current_user(user: User, *, path: Path | str | None = None) -> User:
    """``user`` as the users file says now: PermissionDenied if they were removed or their
    password was reset since they signed in; otherwise the user with the file's current role."""
    entry = _checked_entry(user, path)
    _check_credential(user, entry)
    return User(user.name, entry["role"], credential=user.credential)


def require_role(user: User, allowed: frozenset[str], action: str, *, path: Path | str | None = None) -> User:
    """The acting user re-checked against the users file (exists, current role allows ``action``,
    same password as at sign-in); PermissionDenied naming what changed otherwise."""
    if not isinstance(user, User):
        raise PermissionDenied(f"{action} needs a signed-in user")
    entry = _checked_entry(user, path)
    if entry["role"] not in allowed:
        role = entry["role"] if entry["role"] == user.role else f"now {entry['role']}"
        raise PermissionDenied(f"{user.name} ({role}) may not {action}; needs role {' or '.join(sorted(allowed))}")
    _check_credential(user, entry)
    return User(user.name, entry["role"], credential=user.credential)
