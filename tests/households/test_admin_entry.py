"""Data entry in the admin: validation an officer understands, audit trail, lost updates, search, query counts."""
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from households.models import Household, Member
from tests.factories import HouseholdFactory, MemberFactory

ADD_URL = "/admin/households/household/add/"


def household_post(code="HH-NEW", members=None, version=None, **overrides):
    members = members if members is not None else [
        {"full_name": "  Nguyễn   Văn A ", "relation_to_head": "head", "gender": "male", "birth_year": "1980",
         "ethnic_group": "01"},
        {"full_name": "Trần Thị B", "relation_to_head": "spouse", "gender": "female", "birth_year": "1983",
         "ethnic_group": "01", "national_id": "062183000111"},
    ]
    data = {
        "code": code, "commune": "90101", "village": "90101-01", "address": "Thôn Một", "phone": "",
        "status": "active", "registered_on": "2020-01-01", "left_on": "",
        "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1", "members-MAX_NUM_FORMS": "1000",
    }
    if version is not None:
        data["loaded_version"] = str(version)
    for index, member in enumerate(members):
        defaults = {"birth_date": "", "national_id": "", "has_labour_capacity": "on"}
        for key, value in {**defaults, **member}.items():
            data[f"members-{index}-{key}"] = value
    data.update(overrides)
    return data


def errors_of(response):
    context = response.context
    form_errors = context["adminform"].form.errors if context and "adminform" in context else {}
    inline_errors = [str(fs.formset.non_form_errors()) for fs in context.get("inline_admin_formsets", [])] if context else []
    member_errors = [fs.formset.errors for fs in context.get("inline_admin_formsets", [])] if context else []
    return form_errors, " ".join(inline_errors), member_errors


@pytest.mark.django_db
def test_commune_officer_enters_a_household_stored_in_nfc(client, users):
    client.force_login(users["commune"])
    decomposed = "Nguye\u0302\u0303n Va\u0306n A"  # "Nguyễn Văn A" typed with combining marks
    data = household_post(members=[
        {"full_name": f"  {decomposed}  ", "relation_to_head": "head", "gender": "male", "birth_year": "1980",
         "ethnic_group": "01"},
    ])
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, errors_of(response)
    household = Household.objects.get(code="HH-NEW")
    assert household.head_name == "Nguyễn Văn A"  # trimmed, NFC, and taken from the head member
    assert household.ethnic_group_id == "01"
    assert household.members.get().full_name == "Nguyễn Văn A"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "members, message",
    [
        ([{"full_name": "A", "relation_to_head": "child", "gender": "male", "birth_year": "2000", "ethnic_group": "01"}],
         "phải có đúng một chủ hộ"),
        ([{"full_name": "A", "relation_to_head": "head", "gender": "male", "birth_year": "1980", "ethnic_group": "01"},
          {"full_name": "B", "relation_to_head": "head", "gender": "male", "birth_year": "1981", "ethnic_group": "01"}],
         "chỉ được có một chủ hộ"),
    ],
)
def test_exactly_one_head(client, users, members, message):
    client.force_login(users["commune"])
    response = client.post(ADD_URL, household_post(members=members))
    assert response.status_code == 200
    assert message in errors_of(response)[1]
    assert not Household.objects.filter(code="HH-NEW").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "member, field, message",
    [
        ({"national_id": "12345"}, "national_id", "đúng 12 chữ số"),
        ({"birth_year": "2999"}, "birth_year", "không thể ở tương lai"),
        ({"birth_year": "1850"}, "birth_year", "quá xa"),
        ({"birth_date": "2030-01-01", "birth_year": ""}, "birth_date", "không thể ở tương lai"),
    ],
)
def test_member_validation_messages_name_the_field(client, users, member, field, message):
    client.force_login(users["commune"])
    head = {"full_name": "A", "relation_to_head": "head", "gender": "male", "birth_year": "1980", "ethnic_group": "01"}
    response = client.post(ADD_URL, household_post(members=[{**head, **member}]))
    assert response.status_code == 200
    member_errors = errors_of(response)[2][0][0]
    assert message in " ".join(member_errors[field])
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_duplicate_code_and_national_id_and_foreign_commune(client, users):
    existing = HouseholdFactory(code="HH-DUP")
    MemberFactory(household=existing, national_id="062183000111")
    client.force_login(users["commune"])
    response = client.post(ADD_URL, household_post(code="HH-DUP"))
    form_errors, _, member_errors = errors_of(response)
    assert "code" in form_errors
    assert "national_id" in member_errors[0][1]
    # a commune officer cannot file a household under another commune
    response = client.post(ADD_URL, household_post(code="HH-X", commune="90201", village="90201-01"))
    assert "commune" in errors_of(response)[0]
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_village_must_belong_to_commune(client, users):
    client.force_login(users["district"])
    response = client.post(ADD_URL, household_post(village="90102-01"))
    assert "không thuộc xã" in " ".join(errors_of(response)[0]["village"])


def change_data(household, **overrides):
    members = [
        {"id": str(m.pk), "household": str(household.pk), "full_name": m.full_name,
         "relation_to_head": m.relation_to_head, "gender": m.gender, "birth_year": str(m.birth_year or ""),
         "ethnic_group": m.ethnic_group_id, "national_id": m.national_id or ""}
        for m in household.members.order_by("pk")
    ]
    data = household_post(code=household.code, members=members, version=household.version,
                          commune=household.commune_id, village=household.village_id or "")
    data["members-INITIAL_FORMS"] = str(len(members))
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_second_of_two_concurrent_saves_is_refused(client, users):
    household = HouseholdFactory()
    first = change_data(household, address="Địa chỉ của cán bộ thứ nhất")
    second = change_data(household, address="Địa chỉ của cán bộ thứ hai")
    url = f"/admin/households/household/{household.pk}/change/"
    client.force_login(users["admin"])
    assert client.post(url, first).status_code == 302
    client.force_login(users["commune"])
    response = client.post(url, second)
    assert response.status_code == 200
    assert "vừa được người khác sửa" in str(response.context["adminform"].form.non_field_errors())
    household.refresh_from_db()
    assert household.address == "Địa chỉ của cán bộ thứ nhất"


@pytest.mark.django_db
def test_concurrent_save_caught_at_write_time_rolls_back(areas):
    from core.versioning import ConcurrentEditError

    household = HouseholdFactory()
    stale = Household.objects.get(pk=household.pk)
    household.address = "đã lưu"
    household.save()
    stale.address = "ghi đè"
    with pytest.raises(ConcurrentEditError), transaction.atomic():
        stale.save()
    household.refresh_from_db()
    assert household.address == "đã lưu" and household.version == stale.version + 1


@pytest.mark.django_db
def test_audit_trail_records_who_and_what_and_history_page_shows_it(client, users):
    client.force_login(users["commune"])
    assert client.post(ADD_URL, household_post()).status_code == 302
    household = Household.objects.get(code="HH-NEW")
    url = f"/admin/households/household/{household.pk}/change/"
    assert client.post(url, change_data(household, address="Thôn Mới")).status_code == 302
    history = list(household.history.order_by("history_date"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert all(h.history_user == users["commune"] for h in history)
    delta = history[1].diff_against(history[0])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("address", "Thôn Một", "Thôn Mới")]
    member = household.members.get(relation_to_head="spouse")
    assert member.history.get().history_user == users["commune"]
    page = client.get(f"/admin/households/household/{household.pk}/history/")
    assert page.status_code == 200
    assert "Thôn Mới" in page.content.decode() and "commune" in page.content.decode()
    # deleting is audited too
    client.post(f"/admin/households/household/{household.pk}/delete/", {"post": "yes"})
    assert not Household.objects.filter(pk=household.pk).exists()
    assert Household.history.filter(id=household.pk, history_type="-").get().history_user == users["commune"]


@pytest.mark.django_db
def test_search_ignores_case_and_diacritics(client, users):
    target = HouseholdFactory(head_name="Nguyễn Văn A")
    MemberFactory(household=target, full_name="Đinh Thị Đào")
    HouseholdFactory(head_name="Trần Văn B")
    target.refresh_search_text()
    client.force_login(users["commune"])
    for query in ["nguyen van a", "NGUYEN VĂN A", "dinh thi dao", target.code.lower()]:
        response = client.get("/admin/households/household/", {"q": query})
        rows = list(response.context["cl"].result_list)
        assert rows == [target], query
    areas = client.get("/admin/areas/administrativeunit/", {"q": "dak to"})
    assert [u.code for u in areas.context["cl"].result_list] == ["90101"]


@pytest.mark.django_db
def test_list_page_queries_do_not_grow_with_page_size(client, users):
    client.force_login(users["district"])
    HouseholdFactory.create_batch(3)
    with CaptureQueriesContext(connection) as small:
        assert client.get("/admin/households/household/").status_code == 200
    HouseholdFactory.create_batch(40, commune_id="90102")
    with CaptureQueriesContext(connection) as large:
        response = client.get("/admin/households/household/")
    assert len(response.context["cl"].result_list) == 43
    assert len(large) == len(small)
    # no unfiltered COUNT(*) of the whole table on every page (show_full_result_count is off)
    counts = [q["sql"] for q in large.captured_queries if "COUNT(" in q["sql"].upper()]
    assert all("WHERE" in sql.upper() for sql in counts), counts
    with CaptureQueriesContext(connection) as members:
        client.get("/admin/households/member/")
    HouseholdFactory.create_batch(10)
    with CaptureQueriesContext(connection) as more_members:
        client.get("/admin/households/member/")
    assert len(members) == len(more_members)


@pytest.mark.django_db
def test_leader_reads_but_cannot_change(client, users):
    household = HouseholdFactory()
    client.force_login(users["leader"])
    assert client.get(f"/admin/households/household/{household.pk}/change/").status_code == 200
    assert client.get(ADD_URL).status_code == 403
    response = client.post(f"/admin/households/household/{household.pk}/change/", change_data(household, address="x"))
    assert response.status_code == 403
    household.refresh_from_db()
    assert household.address != "x"


@pytest.mark.django_db
def test_revert_from_history_is_refused(client, users):
    household = HouseholdFactory()
    record = household.history.first()
    client.force_login(users["admin"])
    url = f"/admin/households/household/{household.pk}/history/{record.history_id}/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"code": "HACK"}).status_code == 403
    assert Household.objects.get(pk=household.pk).code == household.code
    assert Member.objects.count() == 1


@pytest.mark.parametrize("url", ["/admin/households/household/abc/history/", "/admin/review/assessment/x1/history/",
                                 "/admin/households/household/abc/history/1/"])
def test_history_of_an_id_of_the_wrong_shape_is_not_found(client, users, url):
    """Regression: a non-numeric id in a history URL was an HTTP 500."""
    client.force_login(users["admin"])
    assert client.get(url).status_code == 404
