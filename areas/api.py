"""API of the administrative map: the units a user may see, and the chain of units above them."""
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from areas.models import AdministrativeUnit
from areas.scoping import visible_area_codes


class AreaSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AdministrativeUnit
        fields = ["code", "name", "level", "kind", "parent", "is_urban", "valid_from", "valid_to", "successor"]


class AreaFilter(filters.FilterSet):
    parent = filters.CharFilter(field_name="parent_id")
    valid_on = filters.DateFilter(method="filter_valid_on")

    class Meta:
        model = AdministrativeUnit
        fields = ["level", "parent", "valid_on"]

    def filter_valid_on(self, queryset, name, value):
        return queryset.valid_on(value)


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AreaSerializer
    lookup_field = "code"
    filterset_class = AreaFilter

    def get_queryset(self):
        queryset = AdministrativeUnit.objects.select_related("parent", "successor").order_by("code")
        codes = visible_area_codes(self.request.user)
        if codes is None:
            return queryset
        ancestors = set()
        for unit in AdministrativeUnit.objects.filter(code__in=codes).values_list("parent_id", flat=True):
            if unit:
                ancestors.add(unit)
        frontier = set(ancestors)
        while frontier:
            frontier = set(AdministrativeUnit.objects.filter(code__in=frontier).exclude(parent=None)
                           .values_list("parent_id", flat=True)) - ancestors
            ancestors |= frontier
        return queryset.filter(code__in=set(codes) | ancestors)
