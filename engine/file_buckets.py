"""Attachments in an S3-compatible bucket, so servers on several machines see the same files.

`S3Bucket` is the `FileStore` (engine/attachments.py) of `FORMWORK_STORAGE=s3`: each file is
the object `<prefix><file id>` of one bucket, on AWS or any server speaking its protocol
(MinIO, Ceph, a cloud's object storage) through `FORMWORK_S3_ENDPOINT`. boto3 does the work:
an upload goes through `upload_fileobj`, which turns a big file into a multipart upload and
aborts it when the upload is refused half way (a file over the field's limit); a read
streams the object's body; nothing is kept on the server's own disk.

boto3 is an optional extra (`pip install 'formwork[s3]'`), imported only when a bucket is
configured. `check()` asks the bucket once at start-up, so a wrong endpoint, bucket or key
stops the server with a sentence naming the setting to fix, not at the first upload.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from engine.errors import FormworkError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

PART_BYTES = 8 * 1024 * 1024  # above this an upload goes in parts of this size
PARTS_IN_FLIGHT = 4  # parts of one upload sent at once, and so held in memory at most
MISSING_CODES = {"404", "NoSuchKey", "NotFound", "NoSuchBucket"}
DENIED_CODES = {"403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}
CREDENTIALS = "FORMWORK_S3_KEY and FORMWORK_S3_SECRET (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"


class StorageUnavailable(FormworkError):
    """The configured file storage cannot be used; `setting` names what to fix."""

    def __init__(self, message: str, setting: str):
        self.setting = setting
        super().__init__(f"{message} (check {setting})")


@dataclass(frozen=True)
class BucketSettings:
    """Where the bucket is and how to sign in to it; unset keys fall to boto3's own chain."""

    bucket: str
    prefix: str = ""
    endpoint: str | None = None
    region: str | None = None
    key: str | None = None
    secret: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BucketSettings:
        """The `FORMWORK_S3_*` settings of `config` (the app's config or the environment)."""

        def text(name: str) -> str | None:
            value = config.get(name)
            return (str(value).strip() or None) if value is not None else None

        bucket = text("FORMWORK_S3_BUCKET")
        if bucket is None:
            raise StorageUnavailable("FORMWORK_STORAGE=s3 needs a bucket", "FORMWORK_S3_BUCKET")
        prefix = text("FORMWORK_S3_PREFIX") or ""
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        return cls(
            bucket=bucket,
            prefix=prefix.lstrip("/"),
            endpoint=text("FORMWORK_S3_ENDPOINT"),
            region=text("FORMWORK_S3_REGION"),
            key=text("FORMWORK_S3_KEY"),
            secret=text("FORMWORK_S3_SECRET"),
        )


class S3Bucket:
    """Files as objects `<prefix><id>` of one bucket; the client is shared by every thread."""

    def __init__(self, settings: BucketSettings):
        self.settings = settings
        self.client = _client(settings)

    def key(self, file_id: str) -> str:
        return f"{self.settings.prefix}{file_id}"

    def check(self) -> None:
        """Ask the bucket once; StorageUnavailable naming the setting when it cannot be used."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        where = self.settings.endpoint or "the default S3 endpoint"
        try:
            self.client.head_bucket(Bucket=self.settings.bucket)
        except NoCredentialsError:
            raise StorageUnavailable("no credentials for the bucket", CREDENTIALS) from None
        except ClientError as exc:
            code = _error_code(exc)
            if code in MISSING_CODES:
                message = f"the bucket {self.settings.bucket!r} does not exist at {where}"
                raise StorageUnavailable(message, "FORMWORK_S3_BUCKET") from None
            if code in DENIED_CODES:
                message = f"the bucket {self.settings.bucket!r} refused these credentials"
                raise StorageUnavailable(message, CREDENTIALS) from None
            message = f"the bucket {self.settings.bucket!r} answered {code}"
            raise StorageUnavailable(message, "FORMWORK_S3_BUCKET") from None
        except BotoCoreError as exc:
            message = f"cannot reach {where}: {exc}"
            raise StorageUnavailable(message, "FORMWORK_S3_ENDPOINT") from None

    def save(self, file_id: str, chunks: Iterable[bytes]) -> None:
        from boto3.s3.transfer import TransferConfig

        transfer = TransferConfig(
            multipart_threshold=PART_BYTES,
            multipart_chunksize=PART_BYTES,
            max_concurrency=PARTS_IN_FLIGHT,
        )
        transfer.max_in_memory_upload_chunks = PARTS_IN_FLIGHT  # the memory one upload holds
        reader = io.BufferedReader(_ChunkReader(iter(chunks)), buffer_size=PART_BYTES)
        self.client.upload_fileobj(reader, self.settings.bucket, self.key(file_id), Config=transfer)

    def open(self, file_id: str) -> IO[bytes] | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.settings.bucket, Key=self.key(file_id))
        except ClientError as exc:
            if _error_code(exc) in MISSING_CODES:
                return None
            raise
        return io.BufferedReader(_BodyReader(answer["Body"]), buffer_size=1024 * 1024)

    def size(self, file_id: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            answer = self.client.head_object(Bucket=self.settings.bucket, Key=self.key(file_id))
        except ClientError as exc:
            if _error_code(exc) in MISSING_CODES:
                return None
            raise
        return int(answer["ContentLength"])

    def delete(self, file_id: str) -> None:
        self.client.delete_object(Bucket=self.settings.bucket, Key=self.key(file_id))


def _client(settings: BucketSettings) -> S3Client:
    """A boto3 S3 client for `settings`; path-style addresses on a server of one's own."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        message = "FORMWORK_STORAGE=s3 needs boto3: pip install 'formwork[s3]'"
        raise StorageUnavailable(message, "FORMWORK_STORAGE") from None
    config = Config(
        connect_timeout=10,
        read_timeout=60,
        retries={"mode": "standard", "max_attempts": 3},
        s3={"addressing_style": "path"} if settings.endpoint else None,
    )
    try:
        return boto3.session.Session().client(
            "s3",
            endpoint_url=settings.endpoint,
            region_name=settings.region,
            aws_access_key_id=settings.key,
            aws_secret_access_key=settings.secret,
            config=config,
        )
    except ValueError as exc:  # a malformed endpoint URL
        raise StorageUnavailable(str(exc), "FORMWORK_S3_ENDPOINT") from None


def _error_code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class _ChunkReader(io.RawIOBase):
    """An iterator of byte chunks read as a file, for `upload_fileobj`."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks = chunks
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.pending:
            chunk = next(self.chunks, None)
            if chunk is None:
                return 0
            self.pending = chunk
        count = min(len(buffer), len(self.pending))
        buffer[:count] = self.pending[:count]
        self.pending = self.pending[count:]
        return count


class _BodyReader(io.RawIOBase):
    """An object's streaming body read as a file, closed with it."""

    def __init__(self, body: Any):
        self.body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.body.close()
        super().close()
