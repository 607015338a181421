"""A real S3-compatible server on 127.0.0.1 for the storage tests: moto's, in a thread.

The tests talk to it over HTTP with boto3 exactly as a server talks to a bucket in
production; nothing reaches the internet. moto keeps its buckets per process, so each test
makes a bucket of its own (`new_bucket`). Without moto (it comes with the dev extra) the
tests that need it are skipped, saying so.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

REGION = "us-east-1"
KEY, SECRET = "formwork-test-key", "formwork-test-secret"


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def client(self) -> Any:
        import boto3

        return boto3.session.Session().client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEY,
            aws_secret_access_key=SECRET,
        )

    def new_bucket(self) -> str:
        name = f"formwork-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def config(self, bucket: str, prefix: str = "") -> dict[str, str]:
        """The FORMWORK_S3_* settings of `bucket` on this server."""
        return {
            "FORMWORK_STORAGE": "s3",
            "FORMWORK_S3_BUCKET": bucket,
            "FORMWORK_S3_PREFIX": prefix,
            "FORMWORK_S3_ENDPOINT": self.endpoint,
            "FORMWORK_S3_REGION": REGION,
            "FORMWORK_S3_KEY": KEY,
            "FORMWORK_S3_SECRET": SECRET,
        }


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    """moto's S3 server on a free local port until the block ends; skips without moto."""
    server_module = pytest.importorskip(
        "moto.server", reason="moto is not installed (pip install -e '.[dev]')"
    )
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(f"http://{host}:{port}")
    finally:
        server.stop()
