"""An S3 server for tests: moto's server mode on 127.0.0.1, a fresh bucket per test.

Import the fixtures into a test module (``from tests.s3server import s3_server, s3_bucket``).
Clients reach the server over HTTP only, so Dask workers in other processes write to the same
store: the endpoint and keys travel in the storage options.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import s3fs
from moto.server import ThreadedMotoServer

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    @property
    def options(self) -> dict[str, Any]:
        """fsspec storage options (DRAFTA_STORAGE_OPTIONS) for this server."""
        return {
            "endpoint_url": self.endpoint,
            "key": FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "secret": FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        }

    def filesystem(self) -> s3fs.S3FileSystem:
        # A fresh instance, so listings never come from another client's cache.
        return s3fs.S3FileSystem(skip_instance_cache=True, **self.options)


@dataclass(frozen=True)
class S3Bucket:
    server: S3Server
    name: str

    @property
    def url(self) -> str:
        return f"s3://{self.name}"

    def objects(self) -> list[str]:
        return sorted(self.server.filesystem().find(self.name))


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with pytest.MonkeyPatch.context() as patch:
        # Any boto client made without explicit keys (and child processes) gets fake ones.
        for name, value in FAKE_CREDENTIALS.items():
            patch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield S3Server(f"http://{host}:{port}")
        finally:
            server.stop()


@pytest.fixture
def s3_bucket(s3_server: S3Server) -> S3Bucket:
    bucket = S3Bucket(s3_server, f"drafta-{uuid.uuid4().hex[:12]}")
    s3_server.filesystem().mkdir(bucket.name)
    return bucket
