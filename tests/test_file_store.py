"""The attachment store behind one interface: the local directory, and S3 over HTTP (moto's S3 server).

Why moto: MinIO, Garage and SeaweedFS are not in the registries this project installs from (PyPI, Debian, npm);
moto's server answers the S3 REST protocol on a real socket, and boto3 talks to it as to any S3 endpoint.
"""

from __future__ import annotations

import stat
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from hotline.file_store import FileMissing, LocalFileStore, S3FileStore, open_store

pytestmark = pytest.mark.pure


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def _s3(endpoint: str, bucket: str) -> S3FileStore:
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                          aws_secret_access_key="test")
    client.create_bucket(Bucket=bucket)
    return S3FileStore(client, bucket, "attachments")


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return LocalFileStore(tmp_path / "attachments")
    return _s3(request.getfixturevalue("s3_endpoint"), f"hotline-{uuid.uuid4().hex[:12]}")


def test_what_is_put_comes_back_byte_for_byte_and_is_listed(store):
    store.put("t/1/a.jpg", b"\xff\xd8photo", "image/jpeg")
    store.put("t/1/a.thumb.jpg", b"\xff\xd8thumb", "image/jpeg")
    assert store.get("t/1/a.jpg") == b"\xff\xd8photo"
    listed = dict(store.listing())
    assert set(listed) == {"t/1/a.jpg", "t/1/a.thumb.jpg"}
    assert all(abs(datetime.now(UTC) - when) < timedelta(minutes=5) for when in listed.values())


def test_a_deleted_or_unknown_key_is_missing_and_deleting_twice_is_fine(store):
    store.put("t/2/b.wav", b"RIFF", "audio/x-wav")
    store.delete("t/2/b.wav")
    store.delete("t/2/b.wav")
    with pytest.raises(FileMissing):
        store.get("t/2/b.wav")
    assert list(store.listing()) == []


@pytest.mark.parametrize("key", ["../secret_key", "/etc/passwd", "t/../../x", "t//x", "", "t/./x"])
def test_a_key_that_could_leave_the_store_is_refused(store, key):
    with pytest.raises(ValueError):
        store.put(key, b"x", "image/jpeg")


def test_local_files_are_private_to_the_service_account(tmp_path):
    store = LocalFileStore(tmp_path / "attachments")
    store.put("t/3/c.jpg", b"x", "image/jpeg")
    assert stat.S_IMODE((tmp_path / "attachments" / "t" / "3" / "c.jpg").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "attachments").stat().st_mode) == 0o700


def test_the_setting_chooses_the_store(tmp_path, monkeypatch):
    assert isinstance(open_store("", tmp_path), LocalFileStore)
    assert open_store("", tmp_path).root == tmp_path / "attachments"
    assert open_store(str(tmp_path / "elsewhere"), tmp_path).root == tmp_path / "elsewhere"
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    s3 = open_store("s3://county-files/hotline/att", tmp_path)
    assert isinstance(s3, S3FileStore) and (s3.bucket, s3.prefix) == ("county-files", "hotline/att")
    with pytest.raises(ValueError, match="name the bucket"):
        open_store("s3://", tmp_path)
