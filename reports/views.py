"""Report pages, the leaders' dashboard, and the same rows as JSON and Excel."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.text import slugify

from households.models import Assessment, OfficerScope
from households.scoping import visible_area_codes
from reports.areas import UnitMap, report_day
from reports.dashboard import dashboard_data
from reports.excel import XLSX_CONTENT_TYPE, Table, workbook_bytes
from reports.params import BadParameter, report_parameters
from reports.registry import REPORTS, flat_rows, total_row


def area_choices(user, year):
    """The areas a user may pick for a year: their scope's units above village level, on that year's map."""
    units = UnitMap(report_day(year))
    codes = visible_area_codes(user)
    own = set(OfficerScope.objects.filter(user=user).values_list("area_id", flat=True))
    chosen = [u for u in units.units.values()
              if (u.valid_on(units.day) and (codes is None or u.code in codes)) or u.code in own]
    depth = {"province": 0, "district": 1, "commune": 2}
    return [
        {"code": u.code, "name": ("— " * depth.get(u.level, 0)) + u.label
         + ("" if u.valid_on(units.day) else " (đơn vị cũ)")}
        for u in sorted(chosen, key=lambda u: (u.code[:2], depth.get(u.level, 3), u.code))
    ]


def excel_table(report, result, year):
    return Table(
        sheet_name=report.sheet, title=report.title, unit_name=result["area"]["name"], year=year,
        columns=list(report.columns), rows=flat_rows(result), total=total_row(result), notes=list(report.notes),
        parent_unit_name="Ủy ban nhân dân",
    )


def xlsx_response(tables, filename):
    response = HttpResponse(workbook_bytes(tables), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _bad_request(request, message, template="reports/report.html", context=None):
    if request.GET.get("format") == "json":
        return JsonResponse({"detail": message}, status=400)
    return render(request, template, {**(context or {}), "error": message}, status=400)


@login_required
def report_page(request, slug):
    report = REPORTS.get(slug)
    if report is None:
        raise Http404("Không có báo cáo này.")
    try:
        area_code, year, years = report_parameters(request)
    except BadParameter as error:
        return _bad_request(request, str(error), context={"report": report})
    comparable = request.GET.get("comparable") == "1"
    result = report.build(user=request.user, area_code=area_code, year=year, comparable=comparable)
    output = request.GET.get("format")
    if output == "json":
        result["rows"] = list(result["rows"])
        return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
    if output == "xlsx":
        return xlsx_response([excel_table(report, result, year)], f"{slug}-{area_code}-{year}")
    context = {
        "report": report, "result": result, "year": year, "years": years, "area_code": area_code,
        "areas": area_choices(request.user, year), "comparable": comparable,
        "rows": list(flat_rows(result)), "total": total_row(result),
        "has_data": Assessment.objects.visible_to(request.user).filter(year=year).exists(),
        "all_reports": REPORTS.values(),
    }
    return render(request, "reports/report.html", context)


@login_required
def annual_package(request):
    try:
        area_code, year, _ = report_parameters(request)
    except BadParameter as error:
        return _bad_request(request, str(error))
    tables = []
    for report in REPORTS.values():
        result = report.build(user=request.user, area_code=area_code, year=year)
        tables.append(excel_table(report, result, year))
    return xlsx_response(tables, f"bao-cao-nam-{year}-{slugify(area_code)}")


@login_required
def dashboard(request):
    if not (request.user.is_superuser or OfficerScope.objects.filter(user=request.user).exists()):
        return render(request, "reports/dashboard.html", {"error": "Tài khoản của bạn chưa được giao địa bàn nào."})
    try:
        area_code, year, years = report_parameters(request)
    except BadParameter as error:
        return _bad_request(request, str(error), template="reports/dashboard.html")
    data = dashboard_data(user=request.user, area_code=area_code, year=year, years=years)
    context = {"data": data, "year": year, "years": years, "area_code": area_code,
               "areas": area_choices(request.user, year), "reports": REPORTS.values()}
    return render(request, "reports/dashboard.html", context)
