"""Checking an evidence pack against its manifest: what a holder of the ZIP runs to know it is unchanged."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from qms.evidence.builder import COVER_FILES, MANIFEST
from qms.trail.verify import verify_trail

_CHUNK = 1024 * 1024


@dataclass
class VerificationReport:
    """The outcome: every difference found, each naming the file it concerns; none means the pack is intact."""

    files_checked: int = 0
    manifest_sha256: str = ""
    differences: list[str] = field(default_factory=list)
    # The audit trail's head the manifest recorded (seal id and SHA-256), and what checking it found.
    trail_seal: int | None = None
    trail_sha256: str = ""
    trail_outcome: str = ""

    @property
    def ok(self) -> bool:
        return not self.differences


def verify_pack(
    path: str | Path,
    *,
    expected_manifest_sha256: str | None = None,
    against_trail: bool = False,
    check_rows: bool = True,
) -> VerificationReport:
    """Check every file of the ZIP at `path` against its manifest: missing, extra, resized or changed files, unsafe
    names, a manifest that does not parse, and a cover that names another manifest.

    With `against_trail` (run where the pack was made), also check this installation's audit trail up to the head the
    pack recorded: every link (and, with `check_rows`, every row sealed by then) must be as it was."""
    report = VerificationReport()
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        report.differences.append(f"{path}: not a readable ZIP file ({error})")
        return report
    with archive:
        names = archive.namelist()
        for name in names:
            if _unsafe(name):
                report.differences.append(f"{name}: unsafe entry name")
        if MANIFEST not in names:
            report.differences.append(f"{MANIFEST}: missing")
            return report
        manifest_bytes = archive.read(MANIFEST)
        report.manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        files = _listed_files(manifest_bytes, report)
        if files is None:
            return report
        if expected_manifest_sha256 and expected_manifest_sha256.lower() != report.manifest_sha256:
            report.differences.append(
                f"{MANIFEST}: SHA-256 {report.manifest_sha256} differs from the expected {expected_manifest_sha256}"
            )
        listed = set()
        for item in files:
            listed.add(item["path"])
            _check_file(archive, item, names, report)
        for name in names:
            if name not in listed and name != MANIFEST and name not in COVER_FILES:
                report.differences.append(f"{name}: not listed in the manifest")
        if "index.html" in names and report.manifest_sha256 not in _read_text(archive, "index.html"):
            report.differences.append(f"index.html: does not name the manifest's SHA-256 {report.manifest_sha256}")
        _recorded_trail_head(manifest_bytes, report)
    if against_trail:
        _check_trail(report, check_rows=check_rows)
    return report


def _recorded_trail_head(manifest_bytes: bytes, report: VerificationReport) -> None:
    head = json.loads(manifest_bytes).get("audit_trail")
    if isinstance(head, dict) and isinstance(head.get("seal"), int) and isinstance(head.get("sha256"), str):
        report.trail_seal, report.trail_sha256 = head["seal"], head["sha256"]
    elif head is not None:
        report.differences.append(f"{MANIFEST}: the audit trail head does not parse")


def _check_trail(report: VerificationReport, *, check_rows: bool) -> None:
    if report.trail_seal is None:
        report.trail_outcome = "The pack records no audit trail head: nothing was sealed when it was made."
        return
    trail = verify_trail(up_to=report.trail_seal, check_rows=check_rows)
    for problem in trail.problems:
        report.differences.append(f"audit trail: {problem}")
    if trail.head_id == report.trail_seal and trail.head_sha256 != report.trail_sha256:
        report.differences.append(
            f"audit trail: seal #{report.trail_seal} now hashes to {trail.head_sha256}, the pack recorded "
            f"{report.trail_sha256}: the trail before the pack was made has been rewritten"
        )
    if trail.ok and trail.head_sha256 == report.trail_sha256:
        rows = f" and the {trail.rows_checked} rows they seal" if check_rows else ""
        report.trail_outcome = (
            f"The audit trail up to seal #{report.trail_seal}, the head the pack recorded, is unchanged: "
            f"{trail.seals_checked} links{rows} checked."
        )


def _listed_files(manifest_bytes: bytes, report: VerificationReport) -> list[dict[str, Any]] | None:
    try:
        manifest = json.loads(manifest_bytes)
        files = manifest["files"]
        if not isinstance(files, list) or not all(
            isinstance(f, dict)
            and isinstance(f.get("path"), str)
            and isinstance(f.get("sha256"), str)
            and isinstance(f.get("size"), int)
            for f in files
        ):
            raise ValueError("each file needs a path, a sha256 and a size")
    except (ValueError, KeyError, TypeError) as error:
        report.differences.append(f"{MANIFEST}: does not parse ({error})")
        return None
    return files


def _check_file(archive: zipfile.ZipFile, item: dict[str, Any], names: list[str], report: VerificationReport) -> None:
    name = item["path"]
    if name not in names:
        report.differences.append(f"{name}: missing")
        return
    report.files_checked += 1
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(name) as handle:
            for chunk in iter(lambda: handle.read(_CHUNK), b""):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        report.differences.append(f"{name}: cannot be read ({error})")
        return
    if size != item["size"]:
        report.differences.append(f"{name}: size {size} differs from the manifest's {item['size']}")
    if digest.hexdigest() != item["sha256"]:
        report.differences.append(f"{name}: SHA-256 {digest.hexdigest()} differs from the manifest's {item['sha256']}")


def _read_text(archive: zipfile.ZipFile, name: str) -> str:
    try:
        return archive.read(name).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError):
        return ""


def _unsafe(name: str) -> bool:
    path = PurePosixPath(name)
    return name.startswith(("/", "\\")) or "\\" in name or ".." in path.parts or ":" in name or "\x00" in name
