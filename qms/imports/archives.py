"""The ZIP of files that comes with a master list, opened without trusting it.

Nothing is extracted to disk: a member is found by its name and read as a stream when its row is checked or written,
so a thousand files need no more memory than one. Names are compared after normalising (forward slashes, no leading
"./"); a member whose name climbs out of the archive (`../`, an absolute path, a drive letter) or that is a symbolic
link is refused and reported, never read. A ZIP with too many members or that would unpack to far more than its size
(a ZIP bomb) is refused whole.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

from django.conf import settings

MAX_MEMBERS = 20_000
MAX_UNPACKED = 20 * 1024**3  # the whole archive unpacked; a document set of 20 GB is already a very large one
MAX_RATIO = 100  # unpacked to packed, for members over 1 MB: documents compress a few times, bombs thousands
_RATIO_FLOOR = 1024 * 1024


class ArchiveError(Exception):
    """The ZIP cannot be used at all."""


@dataclass
class Archive:
    zip: zipfile.ZipFile
    members: dict[str, zipfile.ZipInfo]
    refused: dict[str, str] = field(default_factory=dict)  # a member's name as written → why it is not used

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(normalise(name))

    def open(self, member: zipfile.ZipInfo) -> IO[bytes]:
        return self.zip.open(member)

    def close(self) -> None:
        self.zip.close()


def open_archive(file: IO[bytes]) -> Archive:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ArchiveError("The file is not a ZIP archive (or it is damaged).") from error
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        archive.close()
        raise ArchiveError(f"The ZIP holds {len(infos):,} entries; at most {MAX_MEMBERS:,} are read. Split it.")
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        archive.close()
        raise ArchiveError("The ZIP would unpack to more than 20 GB; split it.")
    members: dict[str, zipfile.ZipInfo] = {}
    refused: dict[str, str] = {}
    for info in infos:
        if info.is_dir():
            continue
        reason = _refusal(info)
        if reason:
            refused[info.filename] = reason
            continue
        members[normalise(info.filename)] = info
    return Archive(zip=archive, members=members, refused=refused)


def normalise(name: str) -> str:
    return name.strip().replace("\\", "/").removeprefix("./")


def _refusal(info: zipfile.ZipInfo) -> str:
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in parts:
        return "its name points outside the archive"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "it is a symbolic link"
    if info.file_size > settings.MAX_UPLOAD_SIZE:
        return f"it is larger than the {settings.MAX_UPLOAD_SIZE // (1024 * 1024)} MB limit for a file"
    if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return "it unpacks to over a hundred times its packed size (a ZIP bomb?)"
    return ""
