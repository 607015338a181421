"""What a file costs in each store: save, streamed read and a borrowed local copy.

Times `LocalFolder` (a temporary folder) against `S3Bucket` on moto's S3 server started on
127.0.0.1 by this script (the dev extra installs moto): the bucket figures are the protocol's
and boto3's overhead over loopback, not a real network's. Prints one line per store × size:
median milliseconds of `save`, of reading the whole stream from `open`, and of `local_copy`,
and the save throughput.

    .venv/bin/python benchmarks/storage.py [--runs 5] [--sizes 65536,1048576,20971520]
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.attachments import FileStore, LocalFolder, local_copy  # noqa: E402
from engine.file_buckets import BucketSettings, S3Bucket  # noqa: E402

CHUNK = 1024 * 1024


def chunks(size: int) -> Iterator[bytes]:
    block = bytes(range(256)) * (CHUNK // 256)
    while size > 0:
        yield block[: min(size, CHUNK)]
        size -= CHUNK


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def read_all(store: FileStore, file_id: str) -> int:
    stream = store.open(file_id)
    assert stream is not None
    with stream:
        return sum(len(b) for b in iter(lambda: stream.read(CHUNK), b""))


def borrow(store: FileStore, file_id: str) -> int:
    with local_copy(store, file_id, suffix=".bin") as path:
        return path.stat().st_size


def measure(name: str, store: FileStore, sizes: list[int], runs: int) -> None:
    for size in sizes:
        file_id = uuid.uuid4().hex
        save = median_ms(lambda: store.save(file_id, chunks(size)), runs)  # noqa: B023
        read = median_ms(lambda: read_all(store, file_id), runs)  # noqa: B023
        copy = median_ms(lambda: borrow(store, file_id), runs)  # noqa: B023
        rate = size / (1 << 20) / (save / 1000)
        print(
            f"{name:<6} {size / (1 << 20):>8.2f} MiB  save {save:8.1f} ms ({rate:6.1f} MiB/s)"
            f"  read {read:8.1f} ms  local_copy {copy:8.1f} ms"
        )
        store.delete(file_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="65536,1048576,20971520")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        measure("folder", LocalFolder(Path(folder)), sizes, args.runs)
    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        settings = {
            "FORMWORK_S3_BUCKET": "bench",
            "FORMWORK_S3_ENDPOINT": f"http://{host}:{port}",
            "FORMWORK_S3_REGION": "us-east-1",
            "FORMWORK_S3_KEY": "bench",
            "FORMWORK_S3_SECRET": "bench",
        }
        boto3.session.Session().client(
            "s3",
            endpoint_url=settings["FORMWORK_S3_ENDPOINT"],
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
        ).create_bucket(Bucket="bench")
        bucket = S3Bucket(BucketSettings.from_config(settings))
        measure("bucket", bucket, sizes, args.runs)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
