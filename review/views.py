"""The review worksheet: a commune's households of a year, on one page per hundred, the page's changed rows saved
at once through review.worksheet_save (recognition lists and the progress board: review.round_views; the certificate
and the posting lists: review.printouts; requests and regular reviews: review.regular_views).

Thin views: read through the scoping door and review.selectors, write through review.worksheet_save.
"""
import datetime
import json
import re
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject

from accounts.models import can_edit
from areas.models import AdministrativeUnit, Level
from areas.scoping import can_see_area
from core.db_refusals import retried_once
from core.fields import VietnameseIntegerField
from core.formatting import vn_number
from households.models import Household
from review.assessments import MAX_B1_SCORE, MAX_INCOME_PER_CAPITA
from review.calendar import round_closed_message
from review.labour import household_labour
from review.locks import check_editing_role, held_back_notice
from review.models import Assessment, Classification, ReviewRound, RoundLockedError
from review.province_calendars import commune_calendars
from review.selectors import annotate_review_list, labour_members, review_households
from review.standards import lines_of, standard_for_year
from review.worksheet_save import PageRefused, PageRow, WorksheetPage, worksheet_page_save

ROWS_PER_PAGE = 100


def commune_or_404(user, code) -> AdministrativeUnit:
    """The commune of `code` in the user's area, else 404."""
    commune = AdministrativeUnit.objects.filter(code=code, level=Level.COMMUNE).first()
    if commune is None or not can_see_area(user, code):
        raise Http404("Không có xã này trong địa bàn của bạn.")
    return commune


def year_or_404(year):
    """The standard of review year `year`, else 404."""
    try:
        return standard_for_year(year)
    except ValidationError as error:
        raise Http404(error.message_dict["year"][0]) from error


class WorksheetRow(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    income = VietnameseIntegerField(
        label="Thu nhập BQ", required=False, min_value=0, max_value=MAX_INCOME_PER_CAPITA,
        error_messages={"min_value": "Không được âm.",
                        "max_value": f"Không quá {vn_number(MAX_INCOME_PER_CAPITA)} đồng/người/tháng: "
                                     "hãy kiểm tra lại số."})
    b1 = VietnameseIntegerField(
        label="Điểm B1", required=False, min_value=0, max_value=MAX_B1_SCORE,
        error_messages={"min_value": "Không được âm.",
                        "max_value": f"Điểm B1 từ 0 đến {vn_number(MAX_B1_SCORE)} điểm: hãy kiểm tra lại."})
    deprivations = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    no_labour = forms.BooleanField(required=False)
    # Only where the officer's no_labour differs from the value derived from the members (review.labour).
    labour_reason = forms.CharField(required=False, max_length=300,
                                    error_messages={"max_length": "Lý do không quá 300 ký tự."})
    meritorious = forms.BooleanField(required=False)

    def __init__(self, *args, indicator_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deprivations"].choices = [(code, code) for code in indicator_codes]

    @property
    def shown(self):
        """What the number inputs show: on a submitted page what the officer typed, else the stored figures
        in Vietnamese format (1.200.000), which the fields read back."""
        if self.is_bound:
            return {name: self[name].value() or "" for name in ("income", "b1")}
        return {name: "" if self.initial.get(name) is None else vn_number(self.initial[name])
                for name in ("income", "b1")}

    def is_blank(self):
        data = self.cleaned_data
        return data.get("income") is None and data.get("b1") is None


def _initial_row(household, assessment):
    derived = household.labour.no_labour_capacity  # from the members as they are now (_attach_labour)
    if assessment is None:
        return {"no_labour": derived}
    # An override (stored with its reason) shows as the officer set it; otherwise the derived value.
    overridden = bool(assessment.labour_override_reason)
    return {"version": assessment.version, "income": assessment.income_per_capita,
            "b1": assessment.b1_score, "deprivations": assessment.deprivation_codes,
            "no_labour": assessment.no_labour_capacity if overridden else derived,
            "labour_reason": assessment.labour_override_reason, "meritorious": assessment.has_meritorious_member}


def _attach_labour(households, year):
    """Each household's labour capacity derived from its members for `year` (`household.labour`, a
    review.labour.LabourResult): one query for the page."""
    members = labour_members([household.pk for household in households])
    for household in households:
        household.labour = household_labour(members[household.pk], int(year))


def _labour_reason(form):
    """The override reason the row carried (spaces tidied), or None when its input was not submitted."""
    if form.prefix + "-labour_reason" not in form.data:
        return None
    return " ".join((form.cleaned_data.get("labour_reason") or "").split())


def _labour_inputs(form):
    """The labour inputs of a row for assessment_save: the value, and the reason where it was submitted."""
    inputs = {"no_labour_capacity": form.cleaned_data.get("no_labour")}
    reason = _labour_reason(form)
    if reason is not None:
        inputs["labour_override_reason"] = reason
    return inputs


def _labour_changed(form, assessment, household):
    """A stored assessment whose override reason the officer changed (the value being an override)."""
    if form.prefix + "-version" not in form.data or assessment is None or _loaded_unassessed(form):
        return False
    reason = _labour_reason(form)
    overrides = form.cleaned_data.get("no_labour") != household.labour.no_labour_capacity
    return overrides and reason is not None and reason != assessment.labour_override_reason


def _loaded_unassessed(form):
    """The row had no assessment when the page was loaded (its hidden version is blank)."""
    return form.cleaned_data.get("version") is None


def _changed(form, assessment):
    if form.prefix + "-version" not in form.data:
        return False  # the row was not on the submitted page
    data = form.cleaned_data
    if assessment is None or _loaded_unassessed(form):
        # Loaded blank: only what the officer typed counts, whatever was stored meanwhile.
        return not form.is_blank()
    return (data.get("income"), data.get("b1"), sorted(data.get("deprivations") or []), data.get("no_labour"),
            data.get("meritorious")) != (assessment.income_per_capita, assessment.b1_score,
                                         sorted(assessment.deprivation_codes), assessment.no_labour_capacity,
                                         assessment.has_meritorious_member)


class WorksheetFilters:
    """What the officer looks for on the worksheet, from GET parameters kept across paging and saving:
    `q` (household code, head's or a member's name, diacritics optional), `village` (code of a village of
    the commune), `unassessed` (only households without an assessment of the year) and `listed` (only the
    list to review: review.selectors.households_to_review)."""

    def __init__(self, params, villages):
        self.q = (params.get("q") or "").strip()[:100]
        village = (params.get("village") or "").strip()
        # (`villages` read only when a village is asked for: a saved page redirects without them)
        self.village = village if village and village in {unit.code for unit in villages} else ""
        self.unassessed = params.get("unassessed") == "1"
        self.listed = params.get("listed") == "1"

    def apply(self, households, year):
        if self.q:
            households = households.search(self.q)
        if self.village:
            households = households.filter(village_id=self.village)
        if self.unassessed:
            households = households.exclude(assessments__year=year)
        if self.listed:
            households = households.filter(on_review_list=True)
        return households

    @property
    def active(self):
        return bool(self.q or self.village or self.unassessed or self.listed)

    def query(self, **extra):
        """The filters as a query string ("" when none), with `extra` parameters (the page) after them."""
        params = {"q": self.q, "village": self.village, "unassessed": "1" if self.unassessed else "",
                  "listed": "1" if self.listed else ""}
        return urlencode({key: value for key, value in {**params, **extra}.items() if value not in ("", None)})


_ROW_KEY = re.compile(r"^h(\d{1,18})-version$")  # a bigint, never a 500 on an overlong id


def _posted_rows(request, households):
    """The rows the submitted page carried (their hidden version inputs name them), whatever the filters
    and pages hold now: a row that left the filter or moved to another page meanwhile (assessed or added
    by someone else) is still saved, or reported, as the officer saw it. Returns (rows, missing): `missing`
    counts rows carrying figures whose household is no longer active in the commune for this user."""
    ids = {int(match.group(1)) for key in request.POST if (match := _ROW_KEY.match(key))}
    if len(ids) > ROWS_PER_PAGE:
        raise BadRequest("Quá nhiều dòng trong một lần lưu.")
    rows = list(households.filter(pk__in=ids).select_related("village"))  # the worksheet's order
    found = {household.pk for household in rows}
    missing = sum(1 for pk in ids - found
                  if (request.POST.get(f"h{pk}-income") or "").strip() or (request.POST.get(f"h{pk}-b1") or "").strip())
    return rows, missing


@login_required
@retried_once  # the page's save is one transaction: a deadlock or serialization failure is tried once more
def worksheet(request, commune, year):
    commune = commune_or_404(request.user, commune)
    standard = year_or_404(year)
    indicators = list(standard.indicators.all())
    codes = [indicator.code for indicator in indicators]
    review_round = ReviewRound.objects.filter(commune=commune, year=year).first()
    if review_round is None and round_closed_message(commune, year):
        raise Http404(round_closed_message(commune, year))
    locked = bool(review_round and review_round.is_locked)
    if request.method == "POST":
        check_editing_role(request.user)  # a role that only reads is refused (403), not shown the page again
    editable = can_edit(request.user) and not locked

    # The list to review first (households on the poor and near-poor lists in force, with the regular reviews
    # since, and those that applied), then the commune's other households; each with its class in force.
    # The households of the commune's review of the year: placed there that year, registered by the close of
    # its window (review.placement via review.selectors.review_households).
    households = annotate_review_list(
        review_households(commune, year, Household.objects.visible_to(request.user)), year,
    ).order_by("-on_review_list", "code")
    villages = SimpleLazyObject(lambda: list(AdministrativeUnit.objects.filter(
        Q(parent=commune, level=Level.VILLAGE) | Q(pk__in=households.values("village_id"))).order_by("code")))
    filters = WorksheetFilters(request.GET, villages)
    matching = filters.apply(households, year)
    paginator = Paginator(matching.select_related("village"), ROWS_PER_PAGE)
    if request.method == "POST" and editable:
        saved, rows, assessments, forms_ = _post(request, households, year, standard, codes)
        if saved:
            number = request.GET.get("page", "")  # (the page counted when shown: no count to save a page)
            return redirect(f"{request.path}?{filters.query(page=number if number.isdigit() else 1)}")
        page = paginator.get_page(request.GET.get("page"))
    else:
        page = paginator.get_page(request.GET.get("page"))
        rows = list(page.object_list)
        assessments = {a.household_id: a for a in Assessment.objects.filter(year=year, household__in=rows)}
        _attach_labour(rows, year)
        forms_ = [WorksheetRow(initial=_initial_row(h, assessments.get(h.pk)), prefix=f"h{h.pk}",
                               indicator_codes=codes) for h in rows]
    not_assessed = households.exclude(assessments__year=year)
    # Assessments stored under another standard than the one the year maps to now (the years of a standard
    # were corrected to review years): they keep theirs, and the page says so.
    other_standards = list(
        Assessment.objects.filter(commune=commune, year=year).exclude(standard=standard)
        .values_list("standard__name").annotate(n=Count("id")).order_by("standard__name"))
    context = {
        "commune": commune, "year": year, "standard": standard, "indicators": indicators,
        "rows": [(h, assessments.get(h.pk), form) for h, form in zip(rows, forms_, strict=True)],
        "page": page, "review_round": review_round, "locked": locked, "editable": editable,
        "filters": filters, "villages": villages, "filter_query": filters.query(),
        "review_list_count": households.filter(on_review_list=True).count(),
        "class_labels": dict(Classification.choices),
        "not_assessed_count": not_assessed.count(), "not_assessed_sample": list(not_assessed.values_list("code", flat=True)[:20]),
        "lines_json": json.dumps(_lines_dict(standard, commune.is_urban)), "other_standards": other_standards,
        # when the window closes for this commune and year (its province's calendar, else Decision 24's)
        "window_notice": commune_calendars(year, [commune.code])[commune.code].window_notice(
            year, datetime.date.today()),
    }
    return render(request, "review/worksheet.html", context)


def _post(request, households, year, standard, codes):
    """The submitted rows read under their households' locks (review.worksheet_save.WorksheetPage: what the rows
    are compared with is what the save checks them against) and saved: (saved, rows, their results, forms)."""
    rows, missing = _posted_rows(request, households)
    if missing:
        messages.warning(request, f"{missing} dòng không được lưu: hộ không còn trong sổ của xã (đã chuyển đi, "
                                  "giải thể hoặc chuyển sang xã khác).")
    page = WorksheetPage(year=year, household_ids=[household.pk for household in rows], standard=standard,
                         indicator_codes=codes)
    for household in rows:
        household.labour = page.labour(household.pk)
    forms_ = [WorksheetRow(request.POST, prefix=f"h{household.pk}", indicator_codes=codes) for household in rows]
    saved = all(form.is_valid() for form in forms_) and _save_rows(request, forms_, rows, page)
    return saved, rows, page.stored, forms_


def _lines_dict(standard, is_urban):
    lines = lines_of(standard, is_urban)
    return {"income": lines.income_line, "absolute": lines.absolute_line, "average": lines.average_line,
            "b1": lines.b1_line, "min": lines.min_deprivations}


def _deleted_meanwhile(rows, forms_, assessments, year):
    """{household id: the result as the page loaded it (from its history)} for the rows loaded with a result
    (a version) that is gone now."""
    versions = {household.pk: form.cleaned_data.get("version") for household, form in zip(rows, forms_, strict=True)
                if household.pk not in assessments and form.prefix + "-version" in form.data
                and form.cleaned_data.get("version") is not None}
    gone = {}
    if not versions:
        return gone
    for record in (Assessment.history.filter(household_id__in=list(versions), year=year)
                   .order_by("-history_date", "-history_id")):  # one query for the page, the newest first
        if record.household_id not in gone and record.version == versions[record.household_id]:
            gone[record.household_id] = record.instance
    return gone


def _save_rows(request, forms_, rows, page):
    """All changed rows at once (review.worksheet_save: the review's bulk write path, a bounded number of
    queries for the page); on any error nothing is stored and errors sit next to fields.

    A row loaded without an assessment (blank version) only creates one: if someone else assessed the
    household meanwhile, the row is a conflict and nothing is saved."""
    # A row loaded with a result deleted since: compared with that result as loaded (its history), so an
    # untouched row neither blocks the page nor re-creates it; a changed one is refused by the service.
    year, assessments = page.year, page.stored
    gone = _deleted_meanwhile(rows, forms_, assessments, year)
    loaded = {**gone, **assessments}
    changed = [(household, form) for household, form in zip(rows, forms_, strict=True)
               if _changed(form, loaded.get(household.pk))
               or _labour_changed(form, loaded.get(household.pk), household)]
    page_rows = [PageRow(household=household, changes=_inputs(form),
                         expected_version=None if _loaded_unassessed(form) else form.cleaned_data["version"])
                 for household, form in changed]
    try:
        held_back = worksheet_page_save(acting_user=request.user, page=page, rows=page_rows)
    except PageRefused as refused:
        forms_by_household = {household.pk: form for household, form in changed}
        for household_id, errors in refused.errors.items():
            _add_errors(forms_by_household[household_id], errors)
        messages.error(request, "Chưa lưu gì: có dòng bị lỗi (xem thông báo bên cạnh ô).")
        return False
    except RoundLockedError as error:
        messages.error(request, str(error))
        return False
    messages.success(request, f"Đã lưu {len(changed)} hộ." if changed else "Không có thay đổi nào.")
    if gone:
        codes = ", ".join(household.code for household in rows if household.pk in gone)
        messages.warning(request, f"Kết quả rà soát năm {year} của hộ {codes} vừa bị người khác xoá; bạn không sửa "
                                  "dòng đó nên nó được để trống, không tạo lại.")
    if held_back:
        messages.warning(request, held_back_notice(held_back))
    return True


# The assessment's fields -> the row's inputs, for the errors of the review's rules.
FIELD_INPUTS = {"income_per_capita": "income", "b1_score": "b1", "deprivations": "deprivations",
                "no_labour_capacity": "no_labour", "labour_override_reason": "labour_reason"}


def _inputs(form):
    """The inputs the worksheet carries, as review.assessments takes them; the rest (social protection,
    reasons, notes) keep their stored values."""
    data = form.cleaned_data
    return {"income_per_capita": data["income"], "b1_score": data["b1"], "deprivations": data["deprivations"],
            **_labour_inputs(form), "has_meritorious_member": data["meritorious"]}


def _add_errors(form, errors):
    for field, messages_ in errors.items():
        name = FIELD_INPUTS.get(field)
        form.add_error(name if name in form.fields else None, messages_)


