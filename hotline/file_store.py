"""Where attachment bytes live, behind one small interface: the var directory by default, S3 in production.

Why an interface: a county on one machine keeps files next to its SQLite database (nothing to set up); a city
with several web processes on several hosts needs one store they all reach, which is S3-compatible object
storage. The database row (hotline.attachments) is the truth about a file; the store only holds bytes by key.
Keys are made by us (``t/<ticket id>/<random>.jpg``), never from a user's file name, so no path can escape.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from hotline.private_files import private_dir
from hotline.settings import TIME_ZONE


class FileMissing(Exception):
    """The row names a key the store does not hold (purged, or lost with a disk)."""


class FileStore(Protocol):
    def put(self, key: str, data: bytes, content_type: str) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None:
        """Idempotent: deleting a missing key is not an error."""

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Every key with its last-modified time, for the orphan sweep."""


def _checked(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalFileStore:
    """Files under a directory of their own (0700, like the var directory), written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        private_dir(path.parent)
        tmp = path.with_name(path.name + ".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise FileMissing(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.exists():
            return
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.endswith(".part"):
                yield (path.relative_to(self.root).as_posix(),
                       datetime.fromtimestamp(path.stat().st_mtime, TIME_ZONE))


class S3FileStore:
    """An S3-compatible bucket through boto3 (AWS, MinIO, Ceph, a cloud's OSS/COS S3 endpoint)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client, self.bucket, self.prefix = client, bucket, prefix.strip("/")

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{_checked(key)}" if self.prefix else _checked(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise FileMissing(key) from None

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def listing(self) -> Iterator[tuple[str, datetime]]:
        start = f"{self.prefix}/" if self.prefix else ""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            for item in page.get("Contents", []):
                yield item["Key"][len(start):], item["LastModified"]


def open_store(url: str, var_dir: Path) -> FileStore:
    """ATTACHMENT_STORE: empty for ``var/attachments``, a directory path, or ``s3://bucket/prefix`` (the endpoint
    and keys from boto3's usual variables: AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, ...)."""
    if not url:
        return LocalFileStore(var_dir / "attachments")
    if url.startswith("s3://"):
        import boto3

        parts = urlsplit(url)
        if not parts.netloc:
            raise ValueError(f"ATTACHMENT_STORE={url!r}: name the bucket, e.g. s3://hotline-files/attachments")
        return S3FileStore(boto3.client("s3"), parts.netloc, parts.path)
    return LocalFileStore(Path(url))
