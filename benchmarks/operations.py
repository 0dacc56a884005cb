"""The operations `make bench` measures, each beside its floor (the same answer without the application)."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from benchmarks.run import Result, median_time, sql_profile
from households.models import Household

ALL = []


def operation(function):
    ALL.append(function)
    return function


def bench_admin():
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True,
                                                                                         "is_superuser": True})
    return user


def admin_client():
    client = Client()
    client.force_login(bench_admin())
    return client


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@operation
def household_list(repeat):
    client = admin_client()
    commune = Household.objects.filter(code__startswith="SYN-").values_list("commune_id", flat=True).first()
    url = f"/admin/households/household/?commune={commune}&q=nguyen+van"
    project = median_time(lambda: get_ok(client, url), repeat)
    floor = median_time(lambda: raw(
        "SELECT h.code, h.head_name, c.name, v.name, e.name, h.status FROM households_household h "
        "JOIN households_administrativeunit c ON c.code = h.commune_id "
        "LEFT JOIN households_administrativeunit v ON v.code = h.village_id "
        "JOIN households_ethnicgroup e ON e.code = h.ethnic_group_id "
        "WHERE h.commune_id = %s AND h.search_text LIKE %s ORDER BY h.code DESC LIMIT 50",
        [commune, "%nguyen van%"]), repeat)
    queries, sql_ms = sql_profile(lambda: get_ok(client, url))
    return Result("household list page (commune + search)", project, floor, queries, sql_ms)


@operation
def household_detail(repeat):
    client = admin_client()
    household = Household.objects.filter(code__startswith="SYN-").order_by("code").last()
    url = f"/admin/households/household/{household.pk}/change/"
    project = median_time(lambda: get_ok(client, url), repeat)
    floor = median_time(lambda: raw(
        "SELECT * FROM households_household h JOIN households_member m ON m.household_id = h.id WHERE h.id = %s",
        [household.pk]), repeat)
    queries, sql_ms = sql_profile(lambda: get_ok(client, url))
    return Result("household detail page", project, floor, queries, sql_ms)


def synthetic_year():
    from review.models import Assessment

    return Assessment.objects.filter(household__code__startswith="SYN-").order_by("-year").values_list(
        "year", flat=True).first()


SYN_COMMUNES = "SELECT code FROM households_administrativeunit WHERE level = 'commune' AND code LIKE '99%%'"


def poverty_floor(year):
    """The hand-written aggregate: this year's and last year's classes, and the register, by commune."""
    return (
        raw("SELECT commune_id, COUNT(*) FILTER (WHERE classification='poor'), "
            "COUNT(*) FILTER (WHERE classification='near_poor'), COUNT(*) FILTER (WHERE classification='average'), "
            "COUNT(*) FILTER (WHERE movement IN ('escaped','escaped_to_near_poor')), "
            "COUNT(*) FILTER (WHERE movement='newly_poor'), COUNT(*) FILTER (WHERE movement='relapsed'), "
            "COUNT(*) FILTER (WHERE movement='near_poor_to_poor'), "
            "COUNT(*) FILTER (WHERE classification='poor' AND is_ethnic_minority), "
            "COUNT(*) FILTER (WHERE classification='poor' AND no_labour_capacity), "
            "COUNT(*) FILTER (WHERE classification='poor' AND has_meritorious_member) "
            f"FROM households_assessment WHERE year=%s AND commune_id IN ({SYN_COMMUNES}) GROUP BY commune_id",
            [year]),
        raw("SELECT commune_id, COUNT(*) FILTER (WHERE classification='poor'), "
            "COUNT(*) FILTER (WHERE classification='near_poor') FROM households_assessment "
            f"WHERE year=%s AND commune_id IN ({SYN_COMMUNES}) GROUP BY commune_id", [year - 1]),
        register_floor(year),
        register_floor(year - 1),  # the start of the year's denominators (households_start)
    )


def deprivation_floor(year):
    """Poor and near-poor households of the year lacking each indicator of the year's standard, by commune."""
    codes = [code for (code,) in raw(
        "SELECT i.code FROM households_indicator i JOIN households_povertystandard s ON s.id = i.standard_id "
        "WHERE s.first_year <= %s AND s.last_year >= %s ORDER BY i.position, i.id", [year, year])]
    lacking = "".join(
        f", COUNT(*) FILTER (WHERE classification = '{kind}' AND deprivations LIKE '%%,{code},%%')"
        for code in codes for kind in ("poor", "near_poor"))
    return raw("SELECT commune_id, COUNT(*) FILTER (WHERE classification = 'poor'), "
               f"COUNT(*) FILTER (WHERE classification = 'near_poor'){lacking} FROM households_assessment "
               f"WHERE year = %s AND commune_id IN ({SYN_COMMUNES}) AND classification IN ('poor', 'near_poor') "
               "GROUP BY commune_id", [year])


def ethnic_groups_floor(year):
    """The year's households by ethnic group (the placement rule), its poor and near-poor, the groups' names."""
    return (register_floor(year, group="h.ethnic_group_id"),
            raw("SELECT h.ethnic_group_id, COUNT(*) FILTER (WHERE a.classification = 'poor'), "
                "COUNT(*) FILTER (WHERE a.classification = 'near_poor') FROM households_assessment a "
                "JOIN households_household h ON h.id = a.household_id "
                f"WHERE a.year = %s AND a.commune_id IN ({SYN_COMMUNES}) GROUP BY 1", [year]),
            raw("SELECT code, name, is_minority FROM households_ethnicgroup"))


def register_floor(year, group="placed"):
    """The households of the year's review by the commune they lived in that year, by hand: the placement rule
    (review.placement) — on the register at some day from 1 January to the close of the window, or reviewed that
    year; placed by the year's result, else by the commune the village belonged to on 31 December, else by their
    commune."""
    import datetime

    from review.placement import registration_cutoff

    day, first, cutoff = datetime.date(year, 12, 31), datetime.date(year, 1, 1), registration_cutoff(year)
    return raw(
        f"SELECT {group}, COUNT(*), COUNT(*) FILTER (WHERE e.is_minority) FROM (SELECT h.*, "
        "COALESCE(a.commune_id, v.parent_id, h.commune_id) AS placed "
        "FROM households_household h LEFT JOIN households_assessment a ON a.household_id = h.id AND a.year = %s "
        "LEFT JOIN households_administrativeunitversion v ON v.unit_id = h.village_id "
        "AND (v.valid_from IS NULL OR v.valid_from <= %s) AND (v.valid_to IS NULL OR v.valid_to >= %s) "
        "WHERE (a.id IS NOT NULL OR (h.registered_on <= %s AND (h.left_on IS NULL OR h.left_on >= %s)))) h "
        f"LEFT JOIN households_ethnicgroup e ON e.code = h.ethnic_group_id WHERE placed IN ({SYN_COMMUNES}) "
        "GROUP BY 1", [year, day, day, cutoff, first])


def spending_floor(year):
    """Per program: quantity, amount, households; and the households reached by any program (the total row)."""
    import datetime

    # where each household lived that year: the placement rule, as in register_floor
    day = datetime.date(year, 12, 31)
    benefits = ("FROM programs_benefit b JOIN households_household h ON h.id = b.household_id "
                "LEFT JOIN households_assessment a ON a.household_id = h.id AND a.year = b.year "
                "LEFT JOIN households_administrativeunitversion v ON v.unit_id = h.village_id "
                "AND (v.valid_from IS NULL OR v.valid_from <= %s) AND (v.valid_to IS NULL OR v.valid_to >= %s) "
                f"WHERE b.year=%s AND COALESCE(a.commune_id, v.parent_id, h.commune_id) IN ({SYN_COMMUNES})")
    return (raw(f"SELECT b.program_id, SUM(b.quantity), SUM(b.amount), COUNT(DISTINCT b.household_id) {benefits} "
                "GROUP BY b.program_id", [day, day, year]),
            raw(f"SELECT COUNT(DISTINCT b.household_id) {benefits}", [day, day, year]))


@operation
def poverty_report(repeat):
    client, year = admin_client(), synthetic_year()
    url = f"/api/v1/reports/poverty/?year={year}&area=99"
    project = median_time(lambda: get_ok(client, url), repeat)
    floor = median_time(lambda: poverty_floor(year), repeat)
    queries, sql_ms = sql_profile(lambda: get_ok(client, url))
    return Result("poverty report, province (JSON)", project, floor, queries, sql_ms)


@operation
def dashboard(repeat):
    client, year = admin_client(), synthetic_year()
    url = f"/?year={year}&area=99"
    project = median_time(lambda: get_ok(client, url), repeat)
    queries, sql_ms = sql_profile(lambda: get_ok(client, url))
    return Result("dashboard page (HTML)", project, median_time(lambda: dashboard_floor(year), repeat), queries,
                  sql_ms)


def dashboard_floor(year):
    """The dashboard's numbers by hand: the series, this year and last year, spending, training."""
    for y in range(year - 5, year + 1):
        poverty_floor(y)
    spending_floor(year)
    raw("SELECT c.year, COUNT(t.id), COUNT(t.id) FILTER (WHERE t.status='graduated') FROM programs_trainingcourse c "
        "LEFT JOIN programs_trainee t ON t.course_id = c.id GROUP BY c.year")


@operation
def spending_report(repeat):
    client, year = admin_client(), synthetic_year()
    url = f"/api/v1/reports/spending/?year={year}&area=99"
    project = median_time(lambda: get_ok(client, url), repeat)
    floor = median_time(lambda: spending_floor(year), repeat)
    queries, sql_ms = sql_profile(lambda: get_ok(client, url))
    return Result("spending report, province (JSON)", project, floor, queries, sql_ms)


def raw_workbook(rows_by_sheet):
    import io

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for name, rows in rows_by_sheet:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@operation
def household_export(repeat):
    from benchmarks.run import peak_memory_mb

    client, year = admin_client(), synthetic_year()
    url = f"/reports/register/?year={year}&area=99&format=xlsx"

    def floor():
        with connection.cursor() as rows:
            rows.execute(
            "SELECT h.code, h.head_name, c.name, v.name, e.name, h.status, a.classification "
            "FROM households_household h JOIN households_administrativeunit c ON c.code = h.commune_id "
            "LEFT JOIN households_administrativeunit v ON v.code = h.village_id "
            "JOIN households_ethnicgroup e ON e.code = h.ethnic_group_id "
            "LEFT JOIN households_assessment a ON a.household_id = h.id AND a.year = %s "
            f"WHERE h.commune_id IN ({SYN_COMMUNES}) ORDER BY h.commune_id, h.code", [year])
            return raw_workbook([("Sổ hộ", (row for chunk in iter(lambda: rows.fetchmany(5000), []) for row in chunk))])

    project = median_time(lambda: get_ok(client, url), max(1, repeat // 2))
    base = median_time(floor, max(1, repeat // 2))
    peak = peak_memory_mb(lambda: get_ok(client, url))
    count = Household.objects.filter(code__startswith="SYN-").count()
    return Result(f"export of all households ({count:,} rows, xlsx)", project, base, peak_mb=peak,
                  note="floor: SQL + raw openpyxl write-only")


@operation
def annual_package(repeat):
    from reports.registry import REPORTS

    client, year = admin_client(), synthetic_year()
    url = f"/reports/annual-package/?year={year}&area=99"
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="bench-admin")

    def floor():
        sheets = []
        for report in REPORTS.values():
            result = report.build(user=user, area_code="99", year=year)
            sheets.append((report.sheet, ([str(v) if v is not None else None for v in row.values()]
                                          for row in result["rows"])))
        return raw_workbook(sheets)

    project = median_time(lambda: get_ok(client, url), max(1, repeat // 2))
    return Result("annual Excel package (all reports)", project, median_time(floor, max(1, repeat // 2)),
                  note="floor: same rows, raw openpyxl write-only")


@operation
def reclassify_year(repeat):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from review.services import year_reclassify

    user = get_user_model().objects.get(username="bench-admin")
    year = synthetic_year()

    def project():
        with transaction.atomic():
            year_reclassify(acting_user=user, year=year)
            transaction.set_rollback(True)

    def floor():
        with transaction.atomic():
            raw("UPDATE households_assessment a SET classification = CASE "
                "WHEN a.income_per_capita <= l.income_line AND a.deprivation_count >= l.min_deprivations THEN 'poor' "
                "WHEN a.income_per_capita <= l.income_line THEN 'near_poor' "
                "WHEN a.income_per_capita <= l.average_line THEN 'average' ELSE 'not_poor' END "
                "FROM households_standardline l WHERE l.standard_id = a.standard_id "
                "AND l.area_type = CASE WHEN a.is_urban THEN 'urban' ELSE 'rural' END AND a.year = %s "
                "RETURNING 1", [year])
            transaction.set_rollback(True)

    queries, sql_ms = sql_profile(project)
    return Result(f"re-classify a whole year ({year})", median_time(project, max(1, repeat // 2)),
                  median_time(floor, max(1, repeat // 2)), queries, sql_ms,
                  note="nothing changes class: reads + compare; floor: one UPDATE … CASE")


@operation
def approve_round(repeat):
    """The step that locks a round: the commune chairman's recognition by decision, after the village meetings,
    the posting and the report up (issues the certificates)."""
    import datetime

    from django.db import transaction

    from review.models import ReviewRound, VillageMeeting
    from review.services import round_recognise

    user = bench_admin()
    review_round = ReviewRound.objects.filter(commune__code__startswith="99", status="open").order_by("-year").first()
    size = review_round.assessments.count()

    def project():
        with transaction.atomic():
            year = review_round.year  # the steps before the decision, as Decision 24 Art. 4 orders them
            villages = set(review_round.assessments.exclude(village=None).values_list("village_id", flat=True))
            VillageMeeting.objects.bulk_create(VillageMeeting(
                review_round=review_round, village_id=code, meeting_date=datetime.date(year, 11, 2), attendees=10,
                in_favour=10, posted_from=datetime.date(year, 11, 3), posted_to=datetime.date(year, 11, 9))
                for code in villages - set(review_round.village_meetings.values_list("village_id", flat=True)))
            ReviewRound.objects.filter(pk=review_round.pk).update(
                status="submitted", submitted_at=datetime.datetime(year, 11, 16, tzinfo=datetime.timezone.utc),
                opinion_date=datetime.date(year, 11, 18))
            fresh = ReviewRound.objects.get(pk=review_round.pk)
            round_recognise(acting_user=user, review_round=fresh, decision_number="1/QĐ-UBND",
                            decision_date=datetime.date(year, 12, 20), confirm_unassessed=True)
            transaction.set_rollback(True)

    def floor():
        with transaction.atomic():
            raw("UPDATE households_reviewround SET status='approved' WHERE id=%s RETURNING 1", [review_round.pk])
            transaction.set_rollback(True)

    name = "recognise a round"
    return Result(f"{name} ({size:,} households)", median_time(project, repeat), median_time(floor, repeat))


def _worksheet_post(review_round, assessments):
    """The worksheet's POST for `assessments` (100 of a round), each row's income one thousand đồng higher and
    the rest as the page shows it (the labour value derived from the members unless the officer overrode it)."""
    from review.labour import household_labour
    from review.selectors import labour_members

    members = labour_members([a.household_id for a in assessments])
    data = {}
    for a in assessments:
        prefix = f"h{a.household_id}"
        derived = household_labour(members[a.household_id], review_round.year).no_labour_capacity
        no_labour = a.no_labour_capacity if a.labour_override_reason else derived
        data.update({f"{prefix}-version": str(a.version), f"{prefix}-income": str((a.income_per_capita or 0) + 1000),
                     f"{prefix}-b1": "" if a.b1_score is None else str(a.b1_score),
                     f"{prefix}-deprivations": a.deprivation_codes, f"{prefix}-labour_reason": a.labour_override_reason})
        data.update({f"{prefix}-no_labour": "on"} if no_labour else {})
        data.update({f"{prefix}-meritorious": "on"} if a.has_meritorious_member else {})
    return data


@operation
def worksheet_save(repeat):
    """A page of the worksheet with 100 changed rows saved (issue 27: one bulk write for the page, the rules,
    locks, versions, movements and audit rows of one row's save), rolled back. Floor: one UPDATE of the 100
    results and their history rows copied by one INSERT … SELECT."""
    from django.db import transaction
    from django.db.models import Count

    from review.models import Assessment, ReviewRound

    review_round = (ReviewRound.objects.filter(commune__code__startswith="99", status="open")
                    .annotate(results=Count("assessments")).order_by("-year", "-results").first())
    assessments = list(Assessment.objects.filter(review_round=review_round).order_by("household__code")[:100])
    data = _worksheet_post(review_round, assessments)
    client, url = admin_client(), f"/review/{review_round.commune_id}/{review_round.year}/"
    ids = [a.pk for a in assessments]
    history = Assessment.history.model
    table = {field.column for field in Assessment._meta.concrete_fields}
    columns = ", ".join(f'"{f.column}"' for f in history._meta.concrete_fields if f.column in table)

    def project():
        with transaction.atomic():
            response = client.post(url, data)
            assert response.status_code == 302, response.status_code
            transaction.set_rollback(True)

    def floor():
        with transaction.atomic():
            raw("UPDATE households_assessment SET income_per_capita = income_per_capita + 1000, version = version + 1 "
                "WHERE id = ANY(%s) RETURNING 1", [ids])
            raw(f"INSERT INTO households_historicalassessment ({columns}, history_date, history_change_reason, "
                f"history_type, history_user_id) SELECT {columns}, now(), 'bench', '~', NULL FROM households_assessment "
                "WHERE id = ANY(%s) RETURNING 1", [ids])
            transaction.set_rollback(True)

    queries, sql_ms = sql_profile(project)
    return Result(f"worksheet: save a page of {len(ids)} changed rows", median_time(project, repeat),
                  median_time(floor, repeat), queries, sql_ms,
                  note="through the test client (the form's parsing included); floor: one UPDATE + history rows")


def import_rolled_back(user, path):
    """Our importer on `path`, everything written and then rolled back (the data stays as generated)."""
    from django.db import transaction

    from importing.service import households_import

    with transaction.atomic():
        result = households_import(acting_user=user, path=str(path), filename=path.name)
        assert not result.errors, result.errors[:3]
        transaction.set_rollback(True)


@operation
def import_workbook(repeat):
    """Our importer against django-import-export (the peer) on the same households sheet."""
    import tempfile
    import time
    from pathlib import Path

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from benchmarks.peer import peer_import
    from tests.importing.builders import workbook

    households = max(1000, min(50_000, Household.objects.filter(code__startswith="SYN-").count() // 3))
    communes = raw(SYN_COMMUNES, [])
    path = Path(tempfile.gettempdir()) / "bench-import.xlsx"
    rows = [[f"BENCH-{n:06d}", f"Nguyễn Văn {n}", communes[n % len(communes)][0], "", "14", f"Thôn {n % 9}"]
            for n in range(households)]
    workbook(path, rows, None, None)
    user = get_user_model().objects.get(username="bench-admin")

    def ours():
        import_rolled_back(user, path)

    def peer():
        with transaction.atomic():
            peer_import(path)
            transaction.set_rollback(True)

    start = time.perf_counter()
    ours()
    project = time.perf_counter() - start
    start = time.perf_counter()
    peer()
    other = time.perf_counter() - start
    return Result(f"import {households:,} households (xlsx)", project, other,
                  note="floor column = django-import-export (peer); ratio < 1 means faster than the peer")


@operation
def import_full_workbook(repeat):
    """The whole contract: households with 4 members and one review result each, checked and written (50,000;
    BENCH_FULL_IMPORT households, 100,000 for the new province), in a fresh process: its time and its peak
    resident memory (VmHWM), the import rolled back."""
    import os
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    from review.models import ReviewRound
    from tests.importing.builders import province_workbook

    wanted = int(os.environ.get("BENCH_FULL_IMPORT", "50000"))
    households = max(1000, min(wanted, Household.objects.filter(code__startswith="SYN-").count() // 3))
    communes = [code for (code,) in raw(SYN_COMMUNES, [])]
    open_year = ReviewRound.objects.filter(commune_id__in=communes).exclude(status="approved").order_by("-year")
    year = open_year.values_list("year", flat=True).first()
    path = Path(tempfile.gettempdir()) / f"bench-import-full-{households}.xlsx"
    province_workbook(path, households, communes, year=year)
    bench_admin()
    script = ("import sys, time\nimport django\ndjango.setup()\n"
              "from django.contrib.auth import get_user_model\nfrom pathlib import Path\n"
              "from benchmarks.operations import import_rolled_back\n"
              "user = get_user_model().objects.get(username='bench-admin')\n"
              "start = time.perf_counter()\nimport_rolled_back(user, Path(sys.argv[1]))\n"
              "elapsed = time.perf_counter() - start\n"
              "line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
              "print(elapsed, int(line.split()[1]) / 1024)")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                          cwd=str(Path(__file__).resolve().parent.parent), env=dict(os.environ))
    if done.returncode:  # say why (an import refused names its reason on the last line)
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode)
    project, peak = (float(value) for value in done.stdout.split()[-2:])
    return Result(f"import {households:,} households + {4 * households:,} members + reviews", project, None,
                  peak_mb=peak, note=f"year {year}; a fresh process, peak MB = its VmHWM (reading: "
                                     f"{_reading_peak_mb(path):.0f} MB)")


def _reading_peak_mb(path):
    """Peak resident memory of a fresh process that reads every sheet the way the importer does."""
    import subprocess
    import sys

    # VmHWM, not ru_maxrss: a forked child's ru_maxrss starts at its parent's (this big benchmark process)
    script = ("import sys\nimport django\ndjango.setup()\nfrom importing.reading import open_workbook, read_sheet, SHEETS\n"
              "book = open_workbook(sys.argv[1]); issues = []\n"
              "for name in SHEETS:\n    sheet = read_sheet(book, name, issues)\n"
              "    for _ in (sheet.rows if sheet else ()): pass\n"
              "line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
              "print(int(line.split()[1]) / 1024)")
    done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, check=True,
                          cwd=str(Path(__file__).resolve().parent.parent))
    return float(done.stdout.strip())


# -- the reports through HTTP: a live gunicorn, as users meet them ------------------------------------------
HTTP_PORT = 8766


def _gunicorn_env():
    import os

    from benchmarks.load import production_env

    env = production_env()
    env.update({"DATABASE_URL": os.environ["DATABASE_URL"], "REPORT_CACHE_SECONDS": "0", "DJANGO_REDIS_URL": "",
                "CELERY_BROKER_URL": ""})
    return env


def _gunicorn():
    """A production-like gunicorn (debug off, report cache off, one worker) on the benchmark database."""
    import http.client
    import subprocess
    import sys
    import time

    env = _gunicorn_env()
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=root, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "poverty_tracker.wsgi:application", "--bind", f"127.0.0.1:{HTTP_PORT}",
         "--workers", "1", "--threads", "1", "--timeout", "300", "--log-level", "warning"], cwd=root, env=env)
    for _ in range(120):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=1)
            connection.request("GET", "/admin/login/", headers={"Host": "127.0.0.1"})
            connection.getresponse().read()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def http_time(url, credentials, repeat):
    """Median seconds of a GET through HTTP (token or session authentication), the body read to the end."""
    import http.client

    def get():
        connection = http.client.HTTPConnection("127.0.0.1", HTTP_PORT, timeout=300)
        connection.request("GET", url, headers={**credentials, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status == 200, (url, response.status)

    get()  # warm the worker (imports, first connection)
    return median_time(get, repeat)


@operation
def reports_over_http(repeat):
    """The reports as users meet them: through gunicorn, less the time of a small authenticated API answer
    (what every request costs: HTTP, authentication, middleware), against the same floors as above."""
    import signal

    from rest_framework.authtoken.models import Token

    from benchmarks.load import session_cookie

    token = {"Authorization": f"Token {Token.objects.get_or_create(user=bench_admin())[0].key}"}
    # the dashboard is a page: a browser's session, signed with the server's own secret key
    cookie = {"Cookie": f"sessionid={session_cookie(_gunicorn_env())}"}
    year = synthetic_year()
    server = _gunicorn()
    try:
        small = {"token": http_time("/api/v1/areas/99/", token, max(5, repeat)),
                 "session": http_time("/api/v1/areas/99/", cookie, max(5, repeat))}
        results = []
        cases = [
            ("poverty report, province (JSON over HTTP)", f"/api/v1/reports/poverty/?year={year}&area=99",
             "token", lambda: poverty_floor(year)),
            ("spending report, province (JSON over HTTP)", f"/api/v1/reports/spending/?year={year}&area=99",
             "token", lambda: spending_floor(year)),
            ("dashboard page, province (HTML over HTTP)", f"/?year={year}&area=99", "session",
             lambda: dashboard_floor(year)),
            ("deprivation by commune, province (JSON over HTTP)",
             f"/api/v1/reports/deprivation-by-area/?year={year}&area=99", "token", lambda: deprivation_floor(year)),
            ("ethnic groups, province (JSON over HTTP)", f"/api/v1/reports/ethnic-groups/?year={year}&area=99",
             "token", lambda: ethnic_groups_floor(year)),
        ]
        for name, url, kind, floor in cases:
            whole = http_time(url, token if kind == "token" else cookie, repeat)
            results.append(Result(name, max(whole - small[kind], 0.0), median_time(floor, repeat),
                                  note=f"{whole * 1000:.0f} ms through HTTP less {small[kind] * 1000:.0f} ms for "
                                       f"GET /api/v1/areas/99/ ({kind})"))
        return results
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
