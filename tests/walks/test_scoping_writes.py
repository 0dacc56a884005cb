"""The scoping walk for writes: every API resource and every admin change form, as each role, against the
records of another commune. Each attempt is refused (4xx, or the admin's 404/redirect) and nothing changes:
not the records, not their history, and nothing new is created that points at the other commune.
"""
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from rest_framework.test import APIClient

from poverty_tracker.api.urls import router
from programs.models import BudgetAllocation
from reports.models import HouseholdCount
from tests.walks.test_scoping_walk import foreign  # noqa: F401 (the foreign records of commune 90201)

ROLES = ["commune", "district", "leader"]  # none of them may touch commune 90201 (district 902)
REFUSED = {400, 403, 404, 405, 409}


@pytest.fixture
def foreign_all(foreign):  # noqa: F811 (the walk's fixture, extended)
    count = HouseholdCount.objects.create(commune_id="90201", year=2024, households=10, ethnic_minority_households=5)
    allocation = BudgetAllocation.objects.create(program_id="CS-BHYT", area_id="90201", year=2024, amount=1000)
    return {**foreign, "reports.householdcount": count.pk, "programs.budgetallocation": allocation.pk}


def snapshot(records):
    """Every foreign record's stored fields and history length, and every table's row count."""
    state = {}
    for label, pk in records.items():
        if "." not in label:
            continue
        model = apps.get_model(label)
        obj = model._default_manager.filter(pk=pk).first()
        state[label] = (model_to_dict(obj) if obj else None,
                        model.history.filter(**{model._meta.pk.attname: pk}).count() if hasattr(model, "history")
                        else None)
    for model in apps.get_models():
        if model._meta.app_label in {"areas", "households", "review", "programs", "reports"}:
            state[f"rows:{model._meta.label}"] = model._default_manager.count()
    return state


def api_targets(records):
    """(prefix, detail URL, the admin's representation of the foreign record) for every writable resource."""
    admin = APIClient()
    admin.force_authenticate(get_user_model().objects.get(username="admin"))
    targets = []
    for prefix, viewset, _ in router.registry:
        model = getattr(getattr(viewset, "queryset", None), "model", None)
        if model is None or model._meta.label_lower not in records:
            continue
        pk = records[model._meta.label_lower]
        lookup = getattr(viewset, "lookup_field", "pk")
        value = getattr(model._default_manager.get(pk=pk), lookup if lookup != "pk" else "pk")
        url = f"/api/v1/{prefix}/{value}/"
        representation = admin.get(url).json()
        assert "detail" not in representation, (url, representation)
        targets.append((prefix, url, representation))
    return targets


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_api_writes_to_another_communes_records_are_refused(users, foreign_all, role):
    client = APIClient()
    client.force_authenticate(users[role])
    targets = api_targets(foreign_all)
    assert {"households", "members", "assessments", "benefits", "community-projects", "cooperative-groups",
            "training-courses", "commendations", "household-counts", "budget-allocations", "review-requests",
            "regular-reviews"} <= {t[0] for t in targets}
    before = snapshot(foreign_all)
    accepted = []
    for prefix, url, representation in targets:
        body = {k: v for k, v in representation.items() if k not in {"id"}}
        attempts = [
            ("patch", url, body), ("put", url, body), ("delete", url, None),
            # the same record posted again (a new code where codes are unique): it names the other commune
            ("post", f"/api/v1/{prefix}/", {**body, **({"code": "NEW-FOREIGN"} if "code" in body else {})}),
        ]
        for method, target, data in attempts:
            response = getattr(client, method)(target, data=data, format="json")
            if response.status_code not in REFUSED:
                accepted.append((method, target, response.status_code))
    assert accepted == []
    assert snapshot(foreign_all) == before


def admin_change_urls(records):
    urls = []
    for label, pk in records.items():
        if "." not in label:
            continue
        app_label, model_name = label.split(".")
        urls.append(f"/admin/{app_label}/{model_name}/{pk}/change/")
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_change_forms_of_another_communes_records_are_refused(client, users, foreign_all, role):
    """Posting a change or a delete to the admin of a foreign record: 404/403/redirect, nothing written."""
    client.force_login(users[role])
    before = snapshot(foreign_all)
    accepted = []
    for url in admin_change_urls(foreign_all):
        if url.startswith("/admin/areas/"):
            continue  # the map is reference data: its admin is read-only for officers (tested in areas)
        change = client.post(url, {"note": "x", "address": "x", "name": "x", "loaded_version": 1,
                                   "_save": "Lưu"})
        delete = client.post(url.replace("/change/", "/delete/"), {"post": "yes"})
        for response, action in ((change, "change"), (delete, "delete")):
            if response.status_code not in {302, 403, 404}:
                accepted.append((url, action, response.status_code))
            elif response.status_code == 302 and "/login/" not in response["Location"] and \
                    not response["Location"].startswith("/admin/"):
                accepted.append((url, action, response["Location"]))
    assert accepted == []
    assert snapshot(foreign_all) == before


@pytest.mark.django_db
def test_control_the_owner_can_write_so_the_walk_can_fail(users, foreign_all):
    """The officer of 90201 changes the same household through the same API: the refusals above are scope."""
    client = APIClient()
    client.force_authenticate(users["other_commune"])
    household = client.get("/api/v1/households/FOREIGN-0001/").json()
    response = client.patch("/api/v1/households/FOREIGN-0001/", {"address": "Đã sửa", "version": household["version"]},
                            format="json")
    assert response.status_code == 200
