"""The suspected duplicates page: pairs side by side within the officer's areas (a side outside them only said to
be in another unit's register), and their resolution — two people, the same person moved, or a record to correct
— recorded with the officer and the time."""
import datetime

import pytest
from django.core.exceptions import ValidationError

from households.duplicates import distinct_persons_record, suspected_pairs
from households.models import DistinctPersons, HouseholdEvent, Member
from tests.factories import HouseholdFactory, MemberFactory

URL = "/admin/households/member/duplicates/"


@pytest.fixture
def people(users):
    """Y Hoa (1990, female) in OWN-1 with a national ID and again in OWN-2 without; A Blưk (1985, male) in OWN-3 and
    in FOR-1 of commune 90201. Not suspected: Y Mai born in different years, Y Nga with two national IDs, Y Lê with
    two birth dates, two Y Hoa of one household."""
    own1, own2, own3 = (HouseholdFactory(code=f"OWN-{n}", commune_id="90101") for n in (1, 2, 3))
    foreign = HouseholdFactory(code="FOR-1", commune_id="90201")
    made = {
        "hoa1": MemberFactory(household=own1, full_name="Y Hoa", birth_year=1990, national_id="062190000001"),
        "hoa2": MemberFactory(household=own2, full_name="Y Hoa", birth_year=1990),
        "blu3": MemberFactory(household=own3, full_name="A Blưk", gender="male", birth_year=1985),
        "bluf": MemberFactory(household=foreign, full_name="A Blưk", gender="male", birth_year=1985,
                              national_id="062085000009"),
    }
    MemberFactory(household=own1, full_name="Y Mai", birth_year=1990)
    MemberFactory(household=own2, full_name="Y Mai", birth_year=1991)
    MemberFactory(household=own1, full_name="Y Nga", birth_year=1992, national_id="062192000001")
    MemberFactory(household=own2, full_name="Y Nga", birth_year=1992, national_id="062192000002")
    MemberFactory(household=own1, full_name="Y Lê", birth_year=1993, birth_date=datetime.date(1993, 1, 2))
    MemberFactory(household=own2, full_name="Y Lê", birth_year=1993, birth_date=datetime.date(1993, 5, 6))
    MemberFactory(household=own3, full_name="Y Hoa", birth_year=2001)
    MemberFactory(household=own3, full_name="Y Hoa", birth_year=2001)
    return {**made, "own1": own1, "own2": own2, "own3": own3, "foreign": foreign}


def pairs_of(user):
    return [(p.first.pk, p.second.pk, p.first_seen, p.second_seen) for p in suspected_pairs(user)[0]]


@pytest.mark.django_db
def test_the_page_shows_the_pairs_side_by_side_within_the_officers_area(client, users, people):
    hoa1, hoa2, blu3, bluf = people["hoa1"], people["hoa2"], people["blu3"], people["bluf"]
    assert pairs_of(users["commune"]) == [(blu3.pk, bluf.pk, True, False), (hoa1.pk, hoa2.pk, True, True)]
    assert pairs_of(users["other_commune"]) == [(blu3.pk, bluf.pk, False, True)]
    assert pairs_of(users["admin"]) == [(blu3.pk, bluf.pk, True, True), (hoa1.pk, hoa2.pk, True, True)]
    client.force_login(users["commune"])
    assert 'id="duplicates-link"' in client.get("/admin/households/member/").content.decode()
    page = client.get(URL).content.decode()
    hoa = page[page.index(f'id="pair-{hoa1.pk}-{hoa2.pk}"'):]
    hoa = hoa[:hoa.index("</tbody>")]
    for shown in ("OWN-1", "OWN-2", "062190000001", "Hai người khác nhau", "từ hộ OWN-1 sang hộ OWN-2",
                  f"/admin/households/member/{hoa2.pk}/change/"):
        assert shown in hoa
    blu = page[page.index(f'id="pair-{blu3.pk}-{bluf.pk}"'):]
    blu = blu[:blu.index("</tbody>")]
    assert "Đã có trong sổ của đơn vị khác" in blu and "Cán bộ cấp trên xử lý" in blu
    for hidden in ("FOR-1", "062085000009", "Xã Ba", "Làng Ba", people["foreign"].head_name):
        assert hidden not in page
    for not_suspected in ("Y Mai", "Y Nga", "Y Lê"):
        assert not_suspected not in page
    assert page.count('class="pair"') == 2
    assert client.get(f"{URL}?commune=90102").content.decode().count('class="pair"') == 0


@pytest.mark.django_db
def test_two_people_is_recorded_with_who_and_when_and_the_pair_stops_showing(client, users, people):
    hoa1, hoa2 = people["hoa1"], people["hoa2"]
    client.force_login(users["commune"])
    response = client.post(URL, {"first": hoa1.pk, "second": hoa2.pk, "resolution": "two_people",
                                 "reason": "Hai chị em họ trùng tên"})
    assert response.status_code == 302
    record = DistinctPersons.objects.get()
    assert (record.first, record.second, record.decided_by, record.note) == (hoa1, hoa2, users["commune"],
                                                                             "Hai chị em họ trùng tên")
    assert record.history.get().history_user == users["commune"]
    page = client.get(URL).content.decode()
    assert f'id="pair-{hoa1.pk}-{hoa2.pk}"' not in page
    assert "Y Hoa (1990) — commune" in page and "Hai chị em họ trùng tên" in page
    assert Member.objects.filter(pk__in=[hoa1.pk, hoa2.pk]).count() == 2


@pytest.mark.django_db
def test_the_same_person_moved_keeps_one_record_in_the_household_they_live_in(client, users, people):
    """Y Hoa of OWN-1 moved to OWN-2, where she was entered again: her record (id, national ID, history) joins
    OWN-2 in the place of the second one, which is deleted with the reason in its history."""
    hoa1, hoa2 = people["hoa1"], people["hoa2"]
    client.force_login(users["commune"])
    response = client.post(URL, {"first": hoa1.pk, "second": hoa2.pk, "resolution": "first_moved",
                                 "date": "2026-06-01", "reason": "Về ở với chồng"})
    assert response.status_code == 302
    moved = Member.objects.get(pk=hoa1.pk)
    assert (moved.household, moved.national_id, moved.relation_to_head) == (people["own2"], "062190000001", "child")
    assert not Member.objects.filter(pk=hoa2.pk).exists()
    deleted = Member.history.filter(id=hoa2.pk).first()
    assert (deleted.history_type, deleted.history_user) == ("-", users["commune"])
    assert deleted.history_change_reason == "Trùng với Y Hoa (hộ OWN-1): cùng một người"
    event = HouseholdEvent.objects.get()
    assert (event.kind, event.source, event.target, event.date) == ("join", people["own1"], people["own2"],
                                                                    datetime.date(2026, 6, 1))
    assert [(h.household_id, h.history_change_reason) for h in moved.history.order_by("history_date")][-1] == (
        people["own2"].pk, "Nhập hộ 01/06/2026: hộ OWN-1 → hộ OWN-2")
    assert f"pair-{hoa1.pk}" not in client.get(URL).content.decode()


@pytest.mark.django_db
def test_resolutions_need_both_sides_in_the_area_and_an_editing_role(client, users, people):
    with pytest.raises(ValidationError):
        distinct_persons_record(acting_user=users["commune"], first=people["blu3"], second=people["bluf"])
    client.force_login(users["leader"])
    assert client.post(URL, {"first": people["hoa1"].pk, "second": people["hoa2"].pk,
                             "resolution": "two_people"}).status_code == 403
    assert "Hai người khác nhau" not in client.get(URL).content.decode()
    client.force_login(users["commune"])
    refused = client.post(URL, {"first": people["blu3"].pk, "second": people["bluf"].pk, "resolution": "two_people"},
                          follow=True)
    assert "Không có hộ này trong địa bàn của bạn." in refused.content.decode()
    assert not DistinctPersons.objects.exists()
    distinct_persons_record(acting_user=users["admin"], first=people["bluf"], second=people["blu3"])
    assert pairs_of(users["other_commune"]) == []
