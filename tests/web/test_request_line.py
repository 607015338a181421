"""Long addresses: list filters travel in the query string, so the server must take them.

gunicorn's default request line is 4,094 bytes; `formwork serve` raises it to its ceiling of
8,190, the API answers a longer address with a JSON 414 from 8,000 bytes, and the OpenAPI
document lists 414 for every operation.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.helpers import Api, body, errors
from web.api import MAX_REQUEST_LINE

ROOT = Path(__file__).resolve().parents[2]


def test_the_api_answers_an_over_long_address_with_a_json_414(api: Api) -> None:
    fits = api.get("/modules/labour_tally/records", query_string={"q": "x", "pad": "y" * 6000})
    assert fits.status_code == 200
    long = api.get("/modules/labour_tally/records", query_string={"pad": "y" * MAX_REQUEST_LINE})
    assert long.status_code == 414 and errors(long)[0]["path"] == ""
    assert f"{MAX_REQUEST_LINE} bytes" in errors(long)[0]["message"]


def test_every_operation_documents_414(api: Api) -> None:
    document = body(api.get("/openapi.json"))
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method == "parameters":
                continue
            assert "414" in operation["responses"], f"{method} {path}"


@pytest.fixture
def served(database_url: str) -> Iterator[int]:
    """`formwork serve` (gunicorn, one worker) on a free port; its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="test")
    command = [sys.executable, "-m", "web", "serve", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while _status(port, "/healthz")[0] != 200:
            assert server.poll() is None and time.monotonic() < deadline, "no server in 30 s"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _status(port: int, target: str) -> tuple[int, bytes]:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""


def test_gunicorn_takes_request_lines_up_to_its_ceiling(served: int) -> None:
    path = "/api/v1/modules/labour_tally/records?q="
    status, _ = _status(served, path + "y" * 6000)  # past gunicorn's default of 4,094
    assert status == 401  # reached the app: it asks for a token
    status, answer = _status(served, path + "y" * 8000)
    assert status == 414 and json.loads(answer)["errors"][0]["path"] == ""
    assert _status(served, path + "y" * 9000)[0] == 414  # gunicorn's own refusal
