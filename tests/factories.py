"""factory_boy factories for the registry."""
import datetime

import factory

from core.text import search_key
from households.models import EthnicGroup, Gender, Household, Member, Relation


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"HH-{n:05d}")
    commune_id = "90101"
    village_id = factory.LazyAttribute(lambda o: f"{o.commune_id}-01")
    head_name = factory.Sequence(lambda n: f"Nguyễn Văn Chủ{n}")
    registered_on = datetime.date(2015, 1, 1)
    ethnic_group = factory.LazyFunction(lambda: EthnicGroup.objects.get(code="14"))

    @factory.post_generation
    def with_head(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            Member.objects.create(
                household=obj, full_name=obj.head_name, gender=Gender.MALE, birth_year=1980,
                ethnic_group=obj.ethnic_group, relation_to_head=Relation.HEAD,
            )
            obj.search_text = ""
            obj.refresh_search_text()


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member

    household = factory.SubFactory(HouseholdFactory)
    full_name = factory.Sequence(lambda n: f"Y Thành Viên {n}")
    search_name = factory.LazyAttribute(lambda o: search_key(o.full_name))
    gender = Gender.FEMALE
    birth_year = 2005
    ethnic_group = factory.LazyFunction(lambda: EthnicGroup.objects.get(code="14"))
    relation_to_head = Relation.CHILD
