"""Walk every URL pattern of the project as every role: nobody sees another commune's households.

A household of commune 90201 carries marker names. The commune officer of 90101, the district officer
and the leader of district 901 must never meet those markers on any page (list, search, detail,
history, autocomplete, API, report); only the officer of 90201 and the administrator may. New URL
patterns are walked the day they are added: a pattern whose arguments this test cannot fill fails it.
"""
import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from households.models import Member
from review.services import assessment_save
from tests.factories import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.slow  # every page of the site as each role

HEAD_MARKER = "Zzyzx Bímật"
MEMBER_MARKER = "Qwerty Ẩndanh"
MARKERS = (HEAD_MARKER, MEMBER_MARKER, "FOREIGN-0001")


def named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            regex = entry.pattern.regex
            if regex.groups > len(regex.groupindex):  # positional groups: django-simple-history's form view
                assert entry.name.endswith("_simple_history"), f"unnamed URL arguments in {entry.name}"
                yield f"{namespace}{entry.name}", ["object_id", "version_id"], True
            else:
                yield f"{namespace}{entry.name}", sorted(regex.groupindex), False


@pytest.fixture
def foreign(users):
    household = HouseholdFactory(code="FOREIGN-0001", commune_id="90201", head_name=HEAD_MARKER)
    household.members.update(full_name=HEAD_MARKER)
    member = MemberFactory(household=household, full_name=MEMBER_MARKER)
    household.refresh_search_text()
    HouseholdFactory(code="OWN-0001")  # something visible, so lists are not trivially empty
    programs = foreign_program_records(household, member)
    assessment = assessment_save(acting_user=users["admin"], household=household, year=2024,
                                 income_per_capita=1_000_000, deprivations=["1", "4", "9"])
    regular = foreign_regular_records(household)
    register = foreign_register_records(household, member)
    return {**programs, **regular, **register, "review.assessment": assessment.pk,
            "review.reviewround": assessment.review_round_id,
            "households.household": household.pk, "households.member": member.pk,
            "areas.administrativeunit": "90201", "household_code": household.code,
            "history_id": household.history.first().history_id}


def foreign_regular_records(household):
    """A request and a regular (in-year) review of the foreign household, so their pages and API are walked
    (stored directly: recognising through the service would lock the commune's 2024 round for every test)."""
    import datetime

    from review.models import RegularReview, ReviewRequest

    request = ReviewRequest.objects.create(household=household, commune_id="90201", year=2025, kind="leave",
                                           requested_on=datetime.date(2025, 2, 1), note="Đơn xã khác")
    review = RegularReview.objects.create(
        household=household, commune_id="90201", village_id="90201-01", year=2024, request=request,
        previous_classification="poor", classification="not_poor", effective_on=datetime.date(2025, 3, 1),
        decision_number="1/QĐ-UBND", decision_date=datetime.date(2025, 3, 1))
    return {"review.reviewrequest": request.pk, "review.regularreview": review.pk}


def foreign_register_records(household, member):
    """A split of the foreign household and a pair of its members found to be two people, so the pages and API of
    household events are walked (stored directly, as the other records here)."""
    import datetime

    from households.models import DistinctPersons, HouseholdEvent, MemberMove

    founded = HouseholdFactory(code="FOREIGN-0002", commune_id="90201", head_name=HEAD_MARKER)
    event = HouseholdEvent.objects.create(kind="split", date=datetime.date(2025, 3, 1), reason="Ra ở riêng",
                                          source=household, target=founded)
    MemberMove.objects.create(event=event, member=founded.members.get(), full_name=HEAD_MARKER,
                              relation_before="child", relation_after="head")
    pair = DistinctPersons.objects.create(first=member, second=founded.members.get())
    return {"households.householdevent": event.pk, "households.distinctpersons": pair.pk}


def foreign_program_records(household, member):
    """Support records of the foreign household, one per program model, so their pages are walked too."""
    import datetime

    from programs.models import (
        Benefit,
        Commendation,
        CommunityProject,
        CooperativeGroup,
        GroupMembership,
        Sponsorship,
        Trainee,
        TrainingCourse,
    )

    day = datetime.date(2024, 9, 1)
    benefit = Benefit.objects.create(program_id="CS-BHYT", year=2024, date=day, household=household, member=member)
    project = CommunityProject.objects.create(name="Dự án xã khác", program_id="DA2", commune_id="90201", year=2024)
    project.households.add(household)
    group = CooperativeGroup.objects.create(name="Tổ xã khác", commune_id="90201", founded_on=day, activity="x")
    GroupMembership.objects.create(group=group, household=household, joined_on=day)
    course = TrainingCourse.objects.create(name="Lớp xã khác", program_id="DA4-TDA1", trade="x", year=2024,
                                           commune_id="90201")
    Trainee.objects.create(course=course, member=member)
    commendation = Commendation.objects.create(household=household, year=2024, issuer="UBND", decision_number="1",
                                               date=day)
    sponsorship = Sponsorship.objects.create(household=household, sponsor_name="A", sponsor_kind="party_member",
                                             since=day)
    return {"programs.benefit": benefit.pk, "programs.communityproject": project.pk,
            "programs.cooperativegroup": group.pk, "programs.trainingcourse": course.pk,
            "programs.commendation": commendation.pk, "programs.sponsorship": sponsorship.pk}


def model_of(name):
    """admin:<app>_<model>_<action> -> the model, else None."""
    candidates = [
        model for model in apps.get_models()
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_")
    ]
    return max(candidates, key=lambda m: len(m._meta.model_name), default=None)


def object_id_for(name, foreign):
    """The foreign object of the URL's model, else any object of it."""
    model = model_of(name)
    if model is None:
        return foreign["households.household"]
    key = model._meta.label_lower
    if key in foreign:
        return foreign[key]
    first = model._default_manager.order_by("pk").first()
    return first.pk if first else 1


# URL arguments that take the same value in every URL; the others depend on the URL (fill() below).
FIXED_ARGUMENTS = {
    "app_label": "households",
    "url": "households/household/",
    "commune": "90201", "commune_code": "90201", "area": "90201", "area_code": "90201",
    "year": 2024,
    "format": "json",
    "slug": "poverty",
    "token": "not-a-pending-upload",
    "model": "assessment",  # the old admin paths of models that moved out of households
}
# Arguments naming one of the foreign records (made by the fixture), by its key there.
FOREIGN_ARGUMENTS = {"code": "household_code", "household_code": "household_code", "pk": "households.household",
                     "id": "households.household", "assessment_id": "review.assessment"}


def fill(name, argument, foreign):
    if argument in FIXED_ARGUMENTS:
        return FIXED_ARGUMENTS[argument]
    if argument in FOREIGN_ARGUMENTS:
        return foreign[FOREIGN_ARGUMENTS[argument]]
    if argument == "object_id":
        return object_id_for(name, foreign)
    if argument == "content_type_id":
        from django.contrib.contenttypes.models import ContentType

        from households.models import Household

        return ContentType.objects.get_for_model(Household).pk
    if argument == "version_id":
        model = model_of(name)
        record = (model.history.filter(**{model._meta.pk.attname: object_id_for(name, foreign)}).first()
                  if model else None)
        return record.history_id if record else foreign["history_id"]
    if argument == "rest":
        return f"{foreign['review.assessment']}/change/"
    raise AssertionError(f"The scoping walk cannot fill <{argument}> of URL {name}: teach fill() about it.")


def walk_urls(foreign):
    urls = []
    for name, arguments, positional in named_patterns():
        kwargs = {argument: fill(name, argument, foreign) for argument in arguments}
        try:
            urls.append(reverse(name, args=list(kwargs.values())) if positional else reverse(name, kwargs=kwargs))
        except Exception as error:  # a converter refused our value: say which
            raise AssertionError(f"cannot build {name} with {kwargs}: {error}") from error
    # Lists with a search for the markers, and the admin autocomplete.
    urls += [
        "/admin/households/household/?q=zzyzx",
        "/admin/households/member/?q=qwerty",
        "/admin/households/household/?commune=90201",
        "/admin/autocomplete/?app_label=households&model_name=member&field_name=household&term=zzyzx",
        "/admin/autocomplete/?app_label=households&model_name=household&field_name=commune&term=",
    ]
    # Every report, for the foreign commune and for the whole province, as page, JSON and Excel.
    from reports.registry import REPORTS

    for slug in REPORTS:
        for query in ("?area=90201&year=2024", "?area=90&year=2024", "?area=901&year=2024", "?year=2024"):
            for output in ("", "&format=json"):
                urls.append(f"/reports/{slug}/{query}{output}")
    return sorted(set(urls))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["commune", "district", "leader"])
def test_other_communes_households_never_appear(client, users, foreign, role):
    client.force_login(users[role])
    leaks = []
    for url in walk_urls(foreign):
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        body = b"".join(response) if response.streaming else response.content
        text = body.decode("utf-8", errors="ignore")
        if any(marker in text for marker in MARKERS):
            leaks.append((url, response.status_code))
    assert leaks == []


@pytest.mark.django_db
def test_out_of_scope_detail_and_history_answer_404(client, users, foreign):
    client.force_login(users["commune"])
    pk = foreign["households.household"]
    for url in [f"/admin/households/household/{pk}/change/", f"/admin/households/household/{pk}/history/",
                f"/admin/households/household/{pk}/history/{foreign['history_id']}/",
                f"/admin/households/member/{foreign['households.member']}/change/"]:
        response = client.get(url, follow=True)
        assert response.status_code == 404 or response.redirect_chain, url
        assert HEAD_MARKER not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["other_commune", "admin"])
def test_the_walk_can_see_what_is_in_scope(client, users, foreign, role):
    """Control: the same walk finds the markers for users entitled to them, so the test can fail."""
    client.force_login(users[role])
    seen = [url for url in walk_urls(foreign) if HEAD_MARKER in client.get(url).content.decode("utf-8", "ignore")]
    assert any("/household/" in url for url in seen)
    assert Member.objects.visible_to(users[role]).filter(full_name=MEMBER_MARKER).exists()


@pytest.mark.django_db
def test_visible_to_counts(users, foreign):
    from households.models import Household

    assert Household.objects.visible_to(users["commune"]).count() == 1
    assert Household.objects.visible_to(users["other_commune"]).count() == 2  # FOREIGN-0001 and its split
    assert Household.objects.visible_to(users["district"]).count() == 1
    assert Household.objects.visible_to(users["admin"]).count() == 3


@pytest.mark.django_db
def test_former_district_scope_follows_the_reform():
    """A district officer keeps the communes re-parented by the 2025 reform; a merged commune's officer
    sees the communes merged into it."""
    from django.core.management import call_command

    from accounts.services import officer_save
    from areas.scoping import visible_area_codes

    call_command("import_areas", "areas/data/admin_units_kontum.csv")
    district, _ = officer_save(username="d", role="district_officer", area_codes=["612"], password="x",
                               check_password=False)
    commune, _ = officer_save(username="c", role="commune_officer", area_codes=["23401"], password="x",
                              check_password=False)
    assert {"23401", "23437", "23428", "23430"} <= visible_area_codes(district)
    assert "23341" not in visible_area_codes(district)
    assert {"23401", "23437", "23440", "23443"} <= visible_area_codes(commune)
    assert "23428" not in visible_area_codes(commune)
