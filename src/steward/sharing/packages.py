"""Encrypted packages: every file Steward sends out is written inside an AES-256 encrypted ZIP.

The format is the WinZip AES extension of ZIP (AE-2, AES-256, via pyzipper), which 7-Zip, WinZip,
PeaZip, Windows 11's File Explorer (recent builds) and `7z` on Linux and macOS open with the
passphrase. macOS Archive Utility does not open AES ZIPs on every version: recipients on a Mac use
Keka or The Unarchiver (docs/ctf.md says so). File names inside a ZIP are not encrypted, so names
must not identify a pupil (CTF names carry only school numbers).

The passphrase is generated here (20 random characters in five groups, about 116 bits), returned
once to the caller to deliver by another channel, and never stored: the share log keeps only the
SHA-256 of the package.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pyzipper

# 20 random characters from this 56-character alphabet give about 116 bits; ambiguous characters
# (0/O, 1/l/I) are left out so the passphrase can be read out over the telephone.
ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
GROUPS = 5
GROUP_SIZE = 4


@dataclass(frozen=True)
class Package:
    """An encrypted package: its bytes, its SHA-256, and the passphrase (shown once, never stored)."""

    data: bytes
    sha256: str
    passphrase: str
    names: tuple[str, ...]


def new_passphrase() -> str:
    """A fresh passphrase: five groups of four random characters joined by hyphens (e.g. `k7Hq-...`)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(GROUP_SIZE)) for _ in range(GROUPS))


def build(files: Mapping[str, bytes], *, passphrase: str | None = None) -> Package:
    """Pack `files` (name -> bytes) into an AES-256 encrypted ZIP with a new passphrase."""
    if not files:
        raise ValueError("a package needs at least one file")
    for name in files:
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"package member {name!r} must be a plain file name")
    secret = passphrase or new_passphrase()
    buf = io.BytesIO()
    with pyzipper.AESZipFile(buf, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(secret.encode())
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, data in files.items():
            zf.writestr(name, data)
    raw = buf.getvalue()
    return Package(data=raw, sha256=hashlib.sha256(raw).hexdigest(), passphrase=secret, names=tuple(files))


def write(package: Package, path: str | os.PathLike[str]) -> Path:
    """Write the package to `path` atomically (a temporary file renamed into place), readable by the
    owner only; never overwrite an existing file (an earlier package may not have been sent yet)."""
    target = Path(path)
    if target.exists():
        raise FileExistsError(f"{target} already exists: choose another --output file")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".steward-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(package.data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read(data: bytes, passphrase: str) -> dict[str, bytes]:
    """The files of a package (what a recipient's tool does); RuntimeError on a wrong passphrase."""
    with pyzipper.AESZipFile(io.BytesIO(data)) as zf:
        zf.setpassword(passphrase.encode())
        return {name: zf.read(name) for name in zf.namelist()}
