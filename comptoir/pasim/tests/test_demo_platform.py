"""The simulator as the demo runs it: its flows kept between runs, its checks off when the
development dependencies are missing, and the demo company connected to it."""

import base64
import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from comptoir import demo, pasim
from comptoir.pasim import state
from comptoir.pasim.platform import Platform
from comptoir.pasim.testing import running_simulator
from comptoir.pasim.tests.test_simulator import api, call, submit, token

ROOT = Path(__file__).resolve().parents[3]


def drop_incoming(base: str, content: bytes) -> str:
    """A supplier's invoice arriving at the simulator; its flow id."""
    payload = {"flowSyntax": "UBL", "name": "F1.xml", "content": base64.b64encode(content).decode()}
    status, _, data = call("POST", f"{base}/_control/incoming", body=json.dumps(payload).encode())
    assert status == 200
    return json.loads(data)["flowId"]


def bearer_of(base: str) -> dict:
    return {"Authorization": f"Bearer {json.loads(token(base)[2])['access_token']}"}


def test_the_flows_outlive_a_restart_with_a_state_file(tmp_path):
    kept = tmp_path / "pa-simulator.state"
    with running_simulator("--state", str(kept)) as base:
        flow_id = drop_incoming(base, b"<Invoice>kept</Invoice>")
    assert kept.is_file()

    with running_simulator("--state", str(kept)) as base:
        path = f"/flow-service/v1/flows/{flow_id}?docType=Original"
        status, _, data = api(base, bearer_of(base), "GET", path)

    assert (status, data) == (200, b"<Invoice>kept</Invoice>")


def test_a_state_file_that_cannot_be_read_starts_an_empty_platform(tmp_path):
    damaged = tmp_path / "pa-simulator.state"
    damaged.write_bytes(b"not what the simulator wrote")
    platform = Platform(validate=False)

    state.load(platform, damaged)

    assert platform.flows == {}
    state.save(platform, damaged)  # and the next save replaces it
    state.load(Platform(validate=False), damaged)


def test_without_the_development_dependencies_it_runs_with_its_checks_off():
    hide = "import sys; sys.modules['openapi_core'] = sys.modules['saxonche'] = None; "
    run = "from comptoir.pasim.__main__ import main; main(['--port', '0', '--quiet'])"
    process = subprocess.Popen(
        [sys.executable, "-c", hide + run],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = re.search(r"http://\S+", process.stdout.readline())[0]
        status, flow = submit(
            base, bearer_of(base), b"<not-an-invoice/>", {"flowSyntax": "CII", "trackingId": "t"}
        )
    finally:
        process.terminate()
        process.wait(10)

    assert "validation off" in process.stderr.read()
    assert status == 202 and flow["flowId"]


@pytest.mark.django_db
def test_the_demo_company_is_connected_to_the_simulator_once():
    from comptoir.einvoicing.models import PlatformConnection, Submission
    from comptoir.parties.models import Customer

    demo.load(customers=8)
    assert Submission.objects.count() == 0  # issued while no platform was connected

    queued = demo.connect_simulator("http://127.0.0.1:8765")

    connection = PlatformConnection.get()
    assert connection.enabled and connection.flow_url == "http://127.0.0.1:8765/flow-service"
    assert queued == Submission.objects.filter(state=Submission.State.TO_SEND).count() > 0
    refusing = Customer.objects.get(siren=pasim.REFUSING_BUYER)
    assert Submission.objects.filter(invoice__customer=refusing).exists()
    assert demo.connect_simulator("http://127.0.0.1:8765") is None  # a platform is set
    assert Submission.objects.count() == queued


def test_saves_from_the_server_s_threads_never_collide(tmp_path):
    """The server answers in threads, and each change saves the state: several at once."""
    platform = Platform(validate=False)
    platform.receive("CII", "a.xml", b"<a/>")
    kept, errors = tmp_path / "pa-simulator.state", []

    def save_often():
        try:
            for _ in range(25):
                state.save(platform, kept)
        except OSError as error:
            errors.append(error)

    threads = [threading.Thread(target=save_often) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    again = Platform(validate=False)
    state.load(again, kept)
    assert list(again.flows) == list(platform.flows)
