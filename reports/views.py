"""Report pages, the leaders' dashboard, and the same rows as JSON and Excel."""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from areas.map import area_choices as map_area_choices
from areas.map import report_day, resolve_area
from areas.models import OfficerScope
from core import jobs
from core.xlsx import xlsx_response
from reports.cache import reads_from_replica
from reports.dashboard import dashboard_page
from reports.excel import tables_response
from reports.html_table import table_body, table_total
from reports.in_year import lists_year, parse_as_of
from reports.opening import comparable_asked, report_parameters
from reports.params import BadParameter, available_years, parse_year
from reports.registry import REPORTS, flat_rows, report_table, total_row
from reports.tasks import QUEUED_EXPORTS
from reports.why_empty import empty_reason


def area_choices(user, year, selected=None):
    """The areas a user may pick for a year (areas.map.area_choices on that year's map), the one shown included."""
    return map_area_choices(user, report_day(year), selected)


def _bad_request(request, message, template="reports/report.html", context=None):
    """A 400 about the page's parameters: JSON for ?format=json, else the page with the message and the year and
    area selectors to pick again (issue 26.5), never a URL parameter to type."""
    if request.GET.get("format") == "json":
        return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})
    context = context or {}
    return render(request, template, {**_selectors(request, context.get("report")), **context, "error": message},
                  status=400)


def _selectors(request, report=None):
    """The year and area choices after a bad parameter: the year asked when it is one, else the latest with a
    review; the area asked when the user may see it, else none chosen; the report's date field where it has one."""
    years = available_years(request.user)
    try:
        year = parse_year(request.GET.get("year"), years[-1])
    except BadParameter:
        year = years[-1]
    area_code = (request.GET.get("area") or "").strip()
    try:
        resolve_area(request.user, area_code)
    except Http404:
        area_code = ""
    return {"years": sorted({*years, year}), "year": year, "area_code": area_code,
            "areas": area_choices(request.user, year, area_code or None),
            "comparable": request.GET.get("comparable") == "1",
            "as_of_enabled": report is not None and "as_of" in report.parameters}


@login_required
@reads_from_replica
def report_page(request, slug):
    report = REPORTS.get(slug)
    if report is None:
        raise Http404("Không có báo cáo này.")
    try:
        area_code, year, years = report_parameters(request)
    except BadParameter as error:
        return _bad_request(request, str(error), context={"report": report})
    comparable = comparable_asked(request, area_code, year)
    # The report's own parameters (?indicator=9 on the lists), passed on only when given.
    options = {name: request.GET[name].strip() for name in report.parameters if request.GET.get(name, "").strip()}
    if options.get("as_of"):  # the date decides the review year whose lists are in force (reports/in_year.py)
        try:
            day = parse_as_of(options["as_of"])
        except BadParameter as error:
            return _bad_request(request, str(error), context={"report": report})
        year, options["as_of"] = lists_year(day), day.isoformat()
    if request.GET.get("format") == "xlsx" and slug in QUEUED_EXPORTS:  # as big as the register: a job
        return _export(request, "export", f"Xuất Excel: {report.title}", slug=slug, area_code=area_code, year=year,
                       comparable=comparable, options=options, report=report)
    try:
        result = report.build(user=request.user, area_code=area_code, year=year, comparable=comparable, **options)
    except BadParameter as error:
        return _bad_request(request, str(error), context={"report": report})
    output = request.GET.get("format")
    if output == "json":
        result["rows"] = list(result["rows"])
        return JsonResponse(result, json_dumps_params={"ensure_ascii": False})
    if output == "xlsx":
        suffix = "".join(f"-{slugify(value)}" for value in options.values())
        return tables_response([report_table(report, result, year)], f"{slug}-{area_code}-{year}{suffix}")
    query = {"year": year, "area": area_code, **({"comparable": "1"} if comparable else {}), **options}
    rows = list(flat_rows(result))
    columns, total = report.columns_for(result), total_row(result)
    context = {
        "report": report, "result": result, "year": year, "years": years, "area_code": area_code,
        "areas": area_choices(request.user, year, area_code), "comparable": comparable,
        "columns": columns, "title": report.result_title(result, None),
        "notes": report.result_notes(result), "query": urlencode(query),
        "indicator_choices": result.get("indicators") if "indicator" in report.parameters else None,
        "indicator": options.get("indicator", ""),
        "as_of_enabled": "as_of" in report.parameters, "as_of": result.get("as_of", ""),
        "rows": rows, "total": total, "table_body": table_body(columns, rows), "table_total": table_total(columns, total),
        # nothing to show: why, naming the year and the area (reports.why_empty)
        "empty_reason": empty_reason(report, result, rows, user=request.user, area_code=area_code, year=year,
                                     comparable=comparable),
        "all_reports": REPORTS.values(),
    }
    return render(request, "reports/report.html", context)


@login_required
@reads_from_replica
def annual_package(request):
    try:
        area_code, year, _ = report_parameters(request)
    except BadParameter as error:
        return _bad_request(request, str(error))
    # One package, one map: every sheet on the year's map, or every sheet on today's with comparable=1.
    comparable = comparable_asked(request, area_code, year)
    return _export(request, "package", f"Bộ báo cáo năm {year} ({area_code})", area_code=area_code, year=year,
                   comparable=comparable)


def _export(request, kind, title, report=None, **params):
    """A workbook built by a job: on a worker (the officer downloads it from the job's page), else here."""
    try:
        launched = jobs.launch(kind, user=request.user, params=params, fields={"title": title}, inline=True)
    except BadParameter as error:
        return _bad_request(request, str(error), context={"report": report} if report else None)
    if launched.token is not None:
        return redirect("reports:job", token=launched.token)
    return xlsx_response(*launched.outcome.file)


@login_required
@reads_from_replica
def dashboard(request):
    if not (request.user.is_superuser or OfficerScope.objects.filter(user=request.user).exists()):
        return render(request, "reports/dashboard.html", {"error": "Tài khoản của bạn chưa được giao địa bàn nào."})
    try:
        area_code, year, years = report_parameters(request)
    except BadParameter as error:
        return _bad_request(request, str(error), template="reports/dashboard.html")
    try:
        # Without a year asked for, it opens where every report does (reports.opening.opening_year).
        data = dashboard_page(user=request.user, area_code=area_code, year=year, years=years)
    except BadParameter as error:
        return _bad_request(request, str(error), template="reports/dashboard.html")
    year = data["year"]
    context = {"data": data, "year": year, "years": years, "area_code": area_code,
               "areas": area_choices(request.user, year, area_code), "reports": REPORTS.values()}
    return render(request, "reports/dashboard.html", context)
