"""The list read out at the ceremony where households that escaped poverty receive their certificates."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from areas.models import AdministrativeUnit
from areas.scoping import can_see_area
from programs.models import Commendation


@login_required
def ceremony_list(request, commune, year):
    unit = AdministrativeUnit.objects.communes().filter(code=commune).first()
    if unit is None or not can_see_area(request.user, commune):
        raise Http404("Không có xã này trong địa bàn của bạn.")
    commendations = (Commendation.objects.visible_to(request.user)
                     .filter(year=year, household__commune_id=commune)
                     .select_related("household", "household__village", "household__ethnic_group")
                     .order_by("household__village__name", "household__code"))
    return render(request, "programs/ceremony.html", {"commune": unit, "year": year, "rows": commendations})
