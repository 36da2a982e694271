"""What the sharing pages share: the school a page is about, refusals, and the outbox.

The outbox. A file that leaves Steward is never kept in clear on the server: the services hand the
file's bytes to a `deliver` callback (or write the package themselves, for the CTF), which writes them
into an AES-256 encrypted ZIP (`sharing.packages`) under the storage root, readable by the owner only.
The passphrase is shown once on the page that follows the share and stored nowhere. The package can be
downloaded once, by the person who made it (the token is kept in their session), within an hour; the
download deletes it, and packages older than an hour are swept whenever the outbox is used.

An uploaded CTF waiting for its import to be confirmed is kept the same way (`stash`), with the
passphrase in the confirm form the browser holds rather than on the server.
"""

from __future__ import annotations

import secrets
import time
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from steward.audit.services import Subject, record
from steward.sharing import packages
from steward.sharing.gate import ShareRefused

TTL_SECONDS = 60 * 60
SESSION_KEY = "sharing_outbox"


def post(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def page(
    request: HttpRequest, template: str, form: Any = None, *, errors: Any = (), **context: Any
) -> HttpResponse:
    summary = [*errors, *(form.error_summary() if form is not None and form.is_bound else [])]
    return render(request, template, {**context, "form": form, "error_summary": summary})


def refusal_items(exc: ShareRefused) -> list[dict[str, str]]:
    """The gate's failures for the error summary: every failed condition, with its code."""
    return [{"href": "", "text": f.message} for f in exc.failures]


def refusal_rows(exc: ShareRefused) -> list[dict[str, str]]:
    return [{"code": f.code.value, "message": f.message} for f in exc.failures]


def refused(request: HttpRequest, message: str, back: str) -> HttpResponse:
    """A service said no for this person (PermissionDenied): 403 with the reason, nothing changed."""
    return render(
        request, "sharing/refused.html", {"refusal": message, "back": back, "error_summary": []}, status=403
    )


def model_errors(form: Any, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    form.add_model_errors(exc, field_map or {})


# --- the outbox ----------------------------------------------------------------------------------------


def _folder(kind: str) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "sharing" / kind
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    cutoff = time.time() - TTL_SECONDS
    for old in folder.glob("*.zip"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:
            pass
    return folder


def slot(kind: str = "outbox") -> tuple[str, Path]:
    """A fresh token and the path its encrypted package is written to."""
    token = secrets.token_urlsafe(24)
    return token, _folder(kind) / f"{token}.zip"


def offer(
    request: HttpRequest, token: str, *, filename: str, sha256: str, run_id: int, school_id: int
) -> None:
    """Let this session download the package at the token's slot once, within the hour."""
    waiting = {
        k: v for k, v in request.session.get(SESSION_KEY, {}).items() if v.get("expires", 0) > time.time()
    }
    waiting[token] = {
        "filename": filename,
        "sha256": sha256,
        "run": run_id,
        "school": school_id,
        "expires": time.time() + TTL_SECONDS,
    }
    request.session[SESSION_KEY] = waiting


def take(request: HttpRequest, token: str) -> HttpResponse:
    """Send the package once and delete it; audited as an export. Http404 when it is not this session's,
    was already downloaded, or has expired."""
    waiting = dict(request.session.get(SESSION_KEY, {}))
    entry = waiting.pop(token, None)
    request.session[SESSION_KEY] = waiting
    if entry is None or entry.get("expires", 0) < time.time():
        raise Http404("No such download")
    path = _folder("outbox") / f"{token}.zip"
    try:
        data = path.read_bytes()
    except OSError:
        raise Http404("No such download") from None
    path.unlink(missing_ok=True)
    record(
        "export",
        model="sharing.ShareRun",
        object_id=entry["run"],
        subject=Subject(school_id=entry["school"]),
        detail={"download": entry["filename"], "package_sha256": entry["sha256"], "encrypted": True},
    )
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{entry["filename"]}"'
    return response


def stash(data: bytes) -> tuple[str, str]:
    """Keep an upload encrypted until it is confirmed: (token, passphrase). The passphrase goes to the
    browser in the confirm form; the server keeps only the encrypted file."""
    token, path = slot("incoming")
    package = packages.build({"upload.xml": data})
    packages.write(package, path)
    return token, package.passphrase


def unstash(token: str, passphrase: str) -> bytes:
    """The stashed upload (kept until `discard`); Http404 when gone, expired or the key is wrong."""
    path = _folder("incoming") / f"{token}.zip"
    try:
        return packages.read(path.read_bytes(), passphrase)["upload.xml"]
    except (OSError, RuntimeError, KeyError, ValueError, zipfile.BadZipFile):
        raise Http404("No such upload") from None


def discard(token: str) -> None:
    (_folder("incoming") / f"{token}.zip").unlink(missing_ok=True)
