"""A save on a stale page names who changed the record meanwhile (core.versioning, issue 26.9): another officer,
or the officer themself, who saved, pressed Back in the browser and saved the old page again."""
import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from core.versioning import ConcurrentEditError
from households.models import Household, Member
from review.models import ReviewRequest
from review.requests import request_save
from tests.factories import HouseholdFactory
from tests.households.test_admin_entry import change_data

OWN = re.compile(r"Bạn đã lưu bản ghi này lúc \d\d/\d\d/\d{4} \d\d:\d\d, sau khi mở trang đang gửi \(có lẽ bạn đã "
                 r"bấm Quay lại trên trình duyệt")


def form_errors(response):
    assert response.status_code == 200, "the stale page was saved"
    return str(response.context["adminform"].form.non_field_errors())


@pytest.mark.django_db
def test_saving_the_same_page_again_after_back_says_it_was_your_own_save(client, users):
    household = HouseholdFactory()
    page = change_data(household)  # the page as it was opened
    url = f"/admin/households/household/{household.pk}/change/"
    client.force_login(users["commune"])
    assert client.post(url, {**page, "address": "Lần lưu thứ nhất"}).status_code == 302
    said = form_errors(client.post(url, {**page, "address": "Sau khi bấm Quay lại"}))  # Back, edit, save
    assert OWN.search(said) and "người khác" not in said
    assert Household.objects.get(pk=household.pk).address == "Lần lưu thứ nhất"


@pytest.mark.django_db
def test_another_officers_save_is_still_someone_elses(client, users):
    household = HouseholdFactory()
    page = change_data(household)
    url = f"/admin/households/household/{household.pk}/change/"
    client.force_login(users["district"])
    assert client.post(url, {**page, "address": "Cán bộ huyện"}).status_code == 302
    client.force_login(users["commune"])
    said = form_errors(client.post(url, {**page, "address": "Cán bộ xã"}))
    assert "vừa được người khác sửa" in said and not OWN.search(said)


@pytest.mark.django_db
def test_a_member_row_saved_twice_from_one_page_says_so(client, users):
    household = HouseholdFactory()
    member = household.members.get()
    url = f"/admin/households/household/{household.pk}/change/"
    page = {**change_data(household), "members-0-loaded_version": str(member.version)}
    client.force_login(users["commune"])
    assert client.post(url, {**page, "members-0-full_name": "Tên lần một"}).status_code == 302
    page["loaded_version"] = str(Household.objects.get(pk=household.pk).version)  # only the member row is stale
    response = client.post(url, {**page, "members-0-full_name": "Tên lần hai"})
    assert response.status_code == 200
    said = " ".join(str(errors) for formset in response.context["inline_admin_formsets"]
                    for errors in formset.formset.errors)
    assert OWN.search(said) and "người khác" not in said
    assert Member.objects.get(pk=member.pk).full_name == "Tên lần một"


@pytest.mark.django_db
def test_a_service_names_the_officers_own_earlier_save(users):
    household = HouseholdFactory()
    officer = users["commune"]
    request = request_save(acting_user=officer, household=household,
                           data={"requested_on": datetime.date(2026, 10, 1)})
    opened = request.version
    request_save(acting_user=officer, household=household, instance=request, expected_version=opened,
                 data={"note": "Lần một"})
    with pytest.raises(ConcurrentEditError) as own:
        request_save(acting_user=officer, household=household, instance=ReviewRequest.objects.get(),
                     expected_version=opened, data={"note": "Lần hai"})
    assert re.search(r"vừa được chính bạn lưu lúc \d\d/\d\d/\d{4} \d\d:\d\d, ở một thẻ khác hoặc trước khi bấm "
                     "Quay lại", str(own.value))
    with pytest.raises((ConcurrentEditError, ValidationError)) as other:
        request_save(acting_user=users["admin"], household=household, instance=ReviewRequest.objects.get(),
                     expected_version=opened, data={"note": "Của quản trị viên"})
    assert "vừa được người khác sửa" in str(other.value)
