"""A job survives its web server: the web process is killed (SIGKILL) while the worker checks the file, the
check finishes on the worker, and a new web process shows its result and commits it. A job survives its worker:
killed mid-write, it is taken up again by another worker, and after a second death it is shown as interrupted.

The web server is a real separate process (runserver, one process, on a free port) on the test database;
the worker is a real Celery worker on the real Redis (tests/test_celery_jobs.py sets them up).
"""
import http.client
import json
import re
import signal
import time
import uuid

import pytest
import redis

from core import jobs
from households.models import Household
from tests.core.test_celery_jobs import REDIS_URL, committed, installation, wait_for, worker  # noqa: F401 - fixtures
from tests.importing.builders import workbook
from tests.importing.test_pages import finished

ROWS = 12_000  # long enough a check to be caught in the middle


class Browser:
    """Just enough of a browser on one web server: the session cookie, the CSRF token, redirects by hand."""

    def __init__(self, port, session):
        self.port, self.cookies = port, {"sessionid": session}

    def request(self, method, url, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, url, body=body, headers={"Cookie": cookie, "Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";")[0]
        connection.close()
        return response.status, dict(response.getheaders()), content

    def csrf(self):
        status, _, page = self.request("GET", "/import/")
        assert status == 200, status
        return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()

    def post_file(self, url, path):
        boundary = uuid.uuid4().hex
        token = self.csrf()
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{path.name}\"\r\n"
                "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
        body += path.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", url, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def post(self, url):
        token = self.csrf()
        return self.request("POST", url, f"csrfmiddlewaretoken={token}".encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def status(self, job_url):
        return json.loads(self.request("GET", job_url + "status.json")[2])


@committed
def test_a_check_goes_on_when_its_web_server_is_killed_and_a_new_one_shows_it(worker, client, users, tmp_path):  # noqa: F811
    rows = [[f"K-{n:05d}", f"Hộ {n}", "90101", "", "14", ""] for n in range(ROWS)]
    big = workbook(tmp_path / "big.xlsx", rows, None, None)
    client.force_login(users["district"])  # a session row in the test database, for the web processes
    session = client.cookies["sessionid"].value

    web, port = worker.start_web()
    browser = Browser(port, session)
    status, headers, _ = browser.post_file("/import/", big)
    assert status == 302, status
    job_url = headers["Location"]
    token = job_url.strip("/").split("/")[-1]
    # the worker is checking the rows: the web server dies in the middle of it
    checking = wait_for(lambda: (lambda s: s if s["phase"].startswith("Đang kiểm tra") and s["done"] < s["total"]
                                 else None)(browser.status(job_url)), step=0.05)
    assert checking["status"] == "running"
    web.send_signal(signal.SIGKILL)
    assert web.wait(10) == -signal.SIGKILL
    assert jobs.state(token)["status"] == "running"  # still going, on the worker

    wait_for(lambda: jobs.state(token)["status"] != "running", seconds=180)
    assert jobs.state(token)["result"]["would_create"]["households"] == ROWS

    # a new web process (another server, for all it knows) shows the result and commits it
    _, port = worker.start_web()
    browser = Browser(port, browser.cookies["sessionid"])
    status, _, page = browser.request("GET", job_url)
    assert status == 200 and "Ghi vào sổ" in page.decode() and not Household.objects.exists()
    status, headers, _ = browser.post(f"{job_url}commit/")
    assert status == 302 and headers["Location"] == job_url
    wait_for(lambda: browser.status(job_url)["status"] != "running", seconds=180)
    status, headers, _ = browser.request("GET", job_url)
    assert status == 302 and headers["Location"] == "/import/"
    assert Household.objects.filter(code__startswith="K-").count() == ROWS


def writing(client, job_url):
    """Wait until the job is in the middle of writing ("Đang ghi vào sổ … 5.000 / 12.000"): its state."""
    def midway():
        state = client.get(job_url + "status.json").json()
        return state if state["phase"].startswith("Đang ghi vào sổ") and 0 < state["done"] < state["total"] else None

    return wait_for(midway, seconds=120, step=0.02)


def killed(process):
    process.send_signal(signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL


@pytest.mark.slow
@committed
def test_a_job_whose_worker_is_killed_is_taken_up_again_then_shown_as_interrupted(installation, client, users,  # noqa: F811
                                                                                   tmp_path, settings):
    """Before: the job answered "running" for hours after its worker was killed (its message waited for the
    broker's 4-hour visibility timeout). Now, once its lease runs out (3 s here), it is queued again for another
    worker; a job whose workers keep dying is shown as interrupted, with what to do, and running it again works."""
    settings.JOB_LEASE_SECONDS = lease = installation.lease(3)
    rows = [[f"K-{n:05d}", f"Hộ {n}", "90101", "", "14", ""] for n in range(ROWS)]
    big = workbook(tmp_path / "big.xlsx", rows, None, None)
    first = installation.start_worker()
    client.force_login(users["district"])
    with big.open("rb") as handle:
        job_url = client.post("/import/", {"file": handle}).url
    token = job_url.strip("/").split("/")[-1]
    assert finished(client, job_url, seconds=180).status_code == 200  # the check
    client.post(f"/import/{token}/commit/")

    def status():
        return client.get(job_url + "status.json").json()

    writing(client, job_url)
    killed(first)  # mid-write
    assert not Household.objects.exists()  # nothing half-written
    # within its lease, the job is queued again (first in line) and says so; nobody runs it yet
    again = wait_for(lambda: (lambda s: s if s["phase"].startswith("Máy xử lý trước đã dừng") else None)(status()),
                     seconds=lease + 5)
    assert again["status"] == "running" and "Đang chờ" in again["phase"]
    second = installation.start_worker()  # another worker takes it up
    writing(client, job_url)
    killed(second)  # and dies too: the job is not sent round the workers forever
    gone = wait_for(lambda: (lambda s: s if s["status"] != "running" else None)(status()), seconds=lease + 5)
    assert gone["status"] == "failed" and gone["phase"] == (
        "Công việc bị gián đoạn (máy chủ xử lý dừng giữa chừng): không có gì được ghi. Hãy chạy lại.")
    page = client.get(job_url)
    assert "không có gì được ghi. Hãy chạy lại." in page.content.decode()
    assert not Household.objects.exists()

    # a worker comes back: the dead workers' messages, handed out again by the broker after its visibility timeout
    # (twice the lease), do not run the job behind the officer's back; running it again imports the file
    broker = redis.Redis.from_url(REDIS_URL)
    unacked, waiting = f"{installation.prefix}:unacked", f"{installation.prefix}:{installation.prefix}"
    assert broker.hlen(unacked) >= 1  # a dead worker's message (the first may have gone to the second worker)
    installation.start_worker()
    wait_for(lambda: broker.hlen(unacked) == broker.llen(waiting) == 0, seconds=2 * lease + 30)  # handed out
    time.sleep(1)
    assert status()["status"] == "failed" and not Household.objects.exists()
    assert client.post(f"/import/{token}/commit/").url == job_url
    done = finished(client, job_url, seconds=180)
    assert done.status_code == 302 and Household.objects.filter(code__startswith="K-").count() == ROWS
