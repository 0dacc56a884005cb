"""The operations `make bench` measures, each beside its floor (the same answer without the application)."""
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from benchmarks.run import Result, median_time, sql_profile
from households.models import Household

ALL = []


def operation(function):
    ALL.append(function)
    return function


def admin_client():
    user, _ = get_user_model().objects.get_or_create(username="bench-admin", defaults={"is_staff": True,
                                                                                         "is_superuser": True})
    client = Client()
    client.force_login(user)
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
