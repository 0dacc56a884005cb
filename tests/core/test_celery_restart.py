"""A job survives its web server: the web process is killed (SIGKILL) while the worker checks the file, the
check finishes on the worker, and a new web process shows its result and commits it.

The web server is a real separate process (runserver, one process, on a free port) on the test database;
the worker is a real Celery worker on the real Redis (tests/test_celery_jobs.py sets them up).
"""
import http.client
import json
import re
import signal
import uuid

from core import jobs
from households.models import Household
from tests.core.test_celery_jobs import committed, installation, wait_for, worker  # noqa: F401 - fixtures
from tests.importing.builders import workbook

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
    assert jobs.state(token)["result"]["created"]["households"] == ROWS

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
