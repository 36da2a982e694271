"""Encrypted packages: an AES-256 ZIP that opens with the passphrase, in Steward and in 7-Zip (an
independent implementation), and not without it."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import zipfile
from pathlib import Path

import pytest

from steward.sharing import packages

FILES = {"8231234_CTF_8734002_001.xml": b"<CTfile>fictional</CTfile>\n", "notes.txt": b"x" * 5000}


def test_round_trip_with_the_passphrase_and_not_without() -> None:
    pkg = packages.build(FILES)
    assert packages.read(pkg.data, pkg.passphrase) == FILES
    with pytest.raises(RuntimeError):
        packages.read(pkg.data, pkg.passphrase.upper() + "x")
    # The contents are not readable as a plain ZIP and do not appear in clear.
    assert b"fictional" not in pkg.data and pkg.passphrase.encode() not in pkg.data
    with pytest.raises((RuntimeError, NotImplementedError)):
        zipfile.ZipFile(io.BytesIO(pkg.data)).read("notes.txt")


def test_each_package_has_a_fresh_long_passphrase() -> None:
    phrases = {packages.build(FILES).passphrase for _ in range(20)}
    assert len(phrases) == 20
    for p in phrases:
        groups = p.split("-")
        assert len(groups) == 5 and all(len(g) == 4 for g in groups)
        assert set(p.replace("-", "")) <= set(packages.ALPHABET)


def test_members_are_written_with_winzip_aes_256() -> None:
    pkg = packages.build(FILES)
    with zipfile.ZipFile(io.BytesIO(pkg.data)) as zf:
        for info in zf.infolist():
            assert info.flag_bits & 0x1  # encrypted
            assert info.compress_type == 99  # the WinZip AES marker method
            # The AES extra field (0x9901): vendor "AE", strength 3 = AES-256.
            extra = info.extra
            at = extra.find(b"\x01\x99")
            assert at >= 0 and extra[at + 6 : at + 8] == b"AE" and extra[at + 8] == 3


def test_write_is_owner_only_and_never_overwrites(tmp_path: Path) -> None:
    pkg = packages.build(FILES)
    path = packages.write(pkg, tmp_path / "out.zip")
    assert path.read_bytes() == pkg.data
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(FileExistsError):
        packages.write(pkg, path)
    assert [p.name for p in tmp_path.iterdir()] == ["out.zip"]  # no temporary file left behind


def test_member_names_must_be_plain_file_names() -> None:
    with pytest.raises(ValueError, match="plain file name"):
        packages.build({"../escape.xml": b""})
    with pytest.raises(ValueError, match="at least one"):
        packages.build({})


@pytest.mark.skipif(shutil.which("7z") is None, reason="7z (Debian p7zip-full) is not installed")
def test_7zip_opens_the_package_with_the_passphrase_and_not_without(tmp_path: Path) -> None:
    """7-Zip is what most recipients (Windows, Linux) open an AES ZIP with: an independent decoder."""
    pkg = packages.build(FILES)
    path = packages.write(pkg, tmp_path / "package.zip")
    listing = subprocess.run(
        ["7z", "l", "-slt", f"-p{pkg.passphrase}", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert "Method = AES-256 Deflate" in listing
    out = tmp_path / "out"
    subprocess.run(["7z", "x", f"-p{pkg.passphrase}", f"-o{out}", str(path)], capture_output=True, check=True)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == FILES
    wrong = subprocess.run(
        ["7z", "x", "-pnot-the-passphrase", f"-o{tmp_path / 'wrong'}", str(path)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert wrong.returncode != 0 and "Wrong password" in wrong.stdout + wrong.stderr
