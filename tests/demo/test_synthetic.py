"""The benchmark's synthetic province (generate_synthetic), written by COPY on PostgreSQL and bulk_create on
SQLite: the same rows either way, the province after the 2025 reform without districts."""
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from areas.models import AdministrativeUnit
from households.models import Household, Member
from programs.models import Benefit
from review.models import Assessment


def generate(**options):
    out = io.StringIO()
    call_command("generate_synthetic", households=300, years=2, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_the_new_province_has_its_communes_directly_under_it():
    generate(province="new", communes=12, villages=3)
    communes = AdministrativeUnit.objects.filter(level="commune", code__startswith="99")
    assert communes.count() == 12 and set(communes.values_list("parent_id", flat=True)) == {"99"}
    assert not AdministrativeUnit.objects.filter(level="district", code__startswith="99").exists()
    assert AdministrativeUnit.objects.filter(level="village", parent__in=communes).count() == 36
    assert Household.objects.filter(code__startswith="SYN-").values("commune").distinct().count() == 12


@pytest.mark.django_db
def test_every_household_has_one_head_members_and_a_result_each_year():
    generate(province="new", communes=5)
    households = Household.objects.filter(code__startswith="SYN-").annotate(
        heads=Count("members", filter=Q(members__relation_to_head="head")), people=Count("members"))
    assert households.count() == 300
    assert {h.heads for h in households} == {1} and all(1 <= h.people <= 8 for h in households)
    head = Member.objects.filter(relation_to_head="head").select_related("household").first()
    assert head.full_name == head.household.head_name and head.search_name  # the search keys are filled
    # defaults the generator did not name are stored as the model's: an empty text, not NULL; no date left
    assert Household.objects.filter(phone="", left_on=None, code__startswith="SYN-").count() == 300
    results = Assessment.objects.filter(household__code__startswith="SYN-")
    assert results.count() == 600 and set(results.values_list("year", flat=True)) == {2021, 2022}
    assert results.filter(year=2021, classification="poor").exists()
    assert results.filter(year=2022).exclude(movement="none").exists()  # some move between the years
    assert all(a.commune_id == a.household.commune_id and a.review_round.commune_id == a.commune_id
               for a in results.select_related("household", "review_round")[:50])
    assert Benefit.objects.filter(household__code__startswith="SYN-").count() == results.filter(
        classification="poor").count()


@pytest.mark.django_db
def test_generating_again_adds_nothing_and_the_old_shape_keeps_its_districts():
    generate()
    generate()
    assert Household.objects.filter(code__startswith="SYN-").count() == 300
    assert Assessment.objects.filter(household__code__startswith="SYN-").count() == 600
    district = AdministrativeUnit.objects.get(code="990")
    assert district.level == "district" and district.children.filter(level="commune").count() == 10
    new = Household(code="NEW-1", commune_id="99000", head_name="Nguyễn Văn A", ethnic_group_id="01")
    new.save()  # the id sequence continues after the generated ids
    assert new.pk > Household.objects.filter(code__startswith="SYN-").order_by("-pk").first().pk
