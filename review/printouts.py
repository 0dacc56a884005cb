"""Printed outputs of the review: the household's certificate and the village posting lists.

- The certificate (Giấy chứng nhận hộ nghèo, hộ cận nghèo, Mẫu số 03 of Decision 24/2021/QĐ-TTg), as the form:
  one per household for a standard's period (review.certificates numbers it); the legal bases the form names
  (the laws on local government and the standard's own decree: `PovertyStandard.certificate_basis`), the head,
  ethnicity, national ID, "nơi thường trú", the members' birth years by sex, and one cell per year of the
  period labelled by the year its list applies (review year + 1), filled only from the chairman's recognition
  (a recognised round, or a regular review's decision) with N/CN, the deprived indicators and the decision's
  date. Nothing that is not on the form, and no doubt about the data, is printed. One A4 page in print.
- The village posting lists (not an official form): the preliminary list (after the village meeting, before
  recognition, marked "DỰ KIẾN") and the recognised list, per village, with the People's Committee header,
  the national motto, the posting dates and the signature block. `posting_lists()` builds the rows; the
  page is here, the Excel file in reports.posting_lists (reports may import review, not the reverse: the
  page sends `&format=xlsx` on to the reports URL).

Reads go through the scoping door; nothing here writes.
"""
import datetime
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from areas.models import AdministrativeUnit, Level
from areas.scoping import can_see_area
from core.text import search_key
from households.models import Gender, Relation
from review.certificates import CERTIFIED_CLASSES, certificate_number_text
from review.models import (
    Assessment,
    Certificate,
    Classification,
    Movement,
    ReviewRound,
    VillageMeeting,
)
from review.selectors import UnitNames, recognised_years, villages_under, year_day
from review.standards import standard_for_year


def _names(text, key):
    """Whether the search key `key` stands in `text` as whole words ("thon 1" is not in "thon 12")."""
    return bool(key) and re.search(rf"(?<![0-9a-z]){re.escape(key)}(?![0-9a-z])", text) is not None


def address_once(household):
    """The household's address naming its village and commune once: the address as recorded, followed by
    the village and the commune only where the address does not already name them ("Thôn 2, Xã Đăk Tô",
    never "Thôn 2, Thôn 2, …"). Compared without case or diacritics."""
    address = (household.address or "").strip().strip(",").strip()
    parts = [address] if address else []
    for unit in (household.village, household.commune):
        if unit is None:
            continue
        written = search_key(", ".join(parts))
        if _names(written, search_key(unit.label)) or search_key(unit.name) in {
                search_key(part) for part in ", ".join(parts).split(",")}:
            continue
        parts.append(unit.label)
    return ", ".join(parts)


# --- the certificate ---------------------------------------------------------------------------------

YEAR_CLASS_LABELS = {
    Classification.POOR: "Hộ nghèo",
    Classification.NEAR_POOR: "Hộ cận nghèo",
    Classification.AVERAGE: "Hộ không nghèo",  # an old "average" result: above the lines, not a recognition
    Classification.NOT_POOR: "Hộ không nghèo",
}
ESCAPE_LABELS = {Movement.ESCAPED: "Thoát nghèo", Movement.ESCAPED_NEAR_POOR: "Thoát cận nghèo"}


def year_class_label(assessment):
    """What the certificate's grid says of a year: the class, or "Thoát nghèo"/"Thoát cận nghèo" the year a
    household left the lists; blank without a result that year."""
    if assessment is None:
        return ""
    if assessment.classification not in CERTIFIED_CLASSES and assessment.movement in ESCAPE_LABELS:
        return ESCAPE_LABELS[assessment.movement]
    return YEAR_CLASS_LABELS.get(assessment.classification, assessment.get_classification_display())


@dataclass
class YearCell:
    """One yearly cell of Mẫu số 03: labelled by the year its list applies (review year + 1: the form's "ô của
    năm ngay sau thời điểm rà soát"), filled only from a chairman's recognition."""
    list_year: int
    review_year: int
    classification: str = ""
    short: str = ""  # N / CN as the form writes it
    deprivations: frozenset = frozenset()
    decided_on: datetime.date | None = None

    @property
    def recognised(self):
        return bool(self.classification)


SHORT_CLASSES = {Classification.POOR: "N", Classification.NEAR_POOR: "CN"}


def _cell(year, assessment, regular):
    """The cell of review year `year`: the recognised annual result, amended by the latest regular review."""
    cell = YearCell(list_year=year + 1, review_year=year)
    if assessment is not None:
        cell.classification, cell.short = year_class_label(assessment), SHORT_CLASSES.get(assessment.classification, "")
        cell.deprivations = frozenset(assessment.deprivation_codes)
        cell.decided_on = assessment.review_round.decision_date
    if regular is not None:
        cell.classification = YEAR_CLASS_LABELS.get(regular.classification, regular.get_classification_display())
        cell.short = SHORT_CLASSES.get(regular.classification, "")
        cell.deprivations = frozenset(code for code in regular.deprivations.split(",") if code)
        cell.decided_on = regular.decision_date
    return cell


def certificate_cells(user, household, standard):
    """One cell per review year of the standard's period (first_year … last_year), each labelled by its list
    year; a year the chairman has not recognised stays blank."""
    years = range(standard.first_year, standard.last_year + 1)
    annual, regular = recognised_years(user, household, years)
    return [_cell(year, annual.get(year), regular.get(year)) for year in years]


def indicator_rows(indicators):
    """The indicator numbers as the form lays them out in each cell: odd codes above, even codes below."""
    codes = [indicator.code for indicator in indicators]
    return [codes[0::2], codes[1::2]]


def member_rows(household):
    """Members with the head first; birth year under Nam or Nữ, as the form's two columns."""
    members = sorted(household.members.select_related("ethnic_group"),
                     key=lambda m: (m.relation_to_head != Relation.HEAD, m.pk))
    return [{"member": m, "male_year": m.birth_year if m.gender == Gender.MALE else None,
             "female_year": m.birth_year if m.gender == Gender.FEMALE else None,
             "unknown_year": m.birth_year if m.gender not in (Gender.MALE, Gender.FEMALE) else None}
            for m in members]


def issuer_names(commune_code, day) -> dict:
    """The heading of a paper the commune's People's Committee issues on `day`, as the unit was named that day:
    issuer_committee ("XÃ ĐĂK TÔ"), issuer_label ("xã Đăk Tô"), issuer_kind ("xã"), issuer_place ("Đăk Tô")."""
    names = UnitNames({commune_code})
    kind, place = names.kind_name(commune_code, day)
    return {"issuer_committee": names.committee(commune_code, day), "issuer_label": names.label(commune_code, day),
            "issuer_kind": kind or "xã", "issuer_place": place}


@login_required
def certificate(request, assessment_id):
    """The certificate of the household of a poor or near-poor assessment, for that assessment's standard.
    Before the household holds a numbered certificate it prints as a draft, without a number."""
    assessment = get_object_or_404(
        Assessment.objects.visible_to(request.user).select_related(
            "household", "household__village", "household__commune", "household__ethnic_group", "commune",
            "village", "standard", "review_round"),
        pk=assessment_id, classification__in=CERTIFIED_CLASSES,
    )
    household, standard = assessment.household, assessment.standard
    issued = (Certificate.objects.visible_to(request.user).filter(household=household, standard=standard)
              .select_related("commune").first())
    issuer_code = issued.commune_id if issued else assessment.commune_id
    issue_day = issued.issued_on if issued else year_day(assessment.year)
    members = member_rows(household)
    head = next((row["member"] for row in members if row["member"].relation_to_head == Relation.HEAD), None)
    context = {
        "a": assessment, "household": household, "standard": standard, "certificate": issued,
        "number": certificate_number_text(issued) if issued else None, **issuer_names(issuer_code, issue_day),
        "bases": [line.strip().rstrip(";") for line in
                  (standard.certificate_basis or standard.legal_basis).splitlines() if line.strip()],
        "head": head, "address": address_once(household), "members": members,
        "cells": certificate_cells(request.user, household, standard),
        "indicator_rows": indicator_rows(standard.indicators.all()),
        "recognised": assessment.review_round.is_locked,
    }
    return render(request, "review/certificate.html", context)


# --- village posting lists ---------------------------------------------------------------------------

PRELIMINARY, RECOGNISED = "preliminary", "recognised"
STAGES = {PRELIMINARY: "DỰ KIẾN", RECOGNISED: "ĐƯỢC CÔNG NHẬN"}
NO_VILLAGE = "_"  # households whose result names no village


class PostingListError(Exception):
    """A request the posting list cannot answer (400 with this Vietnamese message)."""


@dataclass
class VillageList:
    code: str
    label: str
    committee_village: str  # "TRƯỞNG THÔN" …
    posted_from: datetime.date | None
    posted_to: datetime.date | None
    rows: list = field(default_factory=list)  # poor and near-poor
    left: list = field(default_factory=list)  # escaped poverty / near-poverty this year


@dataclass
class PostingLists:
    commune: AdministrativeUnit
    year: int
    stage: str
    review_round: ReviewRound | None
    issuer_committee: str  # "XÃ ĐĂK TÔ" as named that year
    issuer_label: str
    villages: list

    @property
    def stage_mark(self):
        return STAGES[self.stage]

    @property
    def title(self):
        return f"DANH SÁCH HỘ NGHÈO, HỘ CẬN NGHÈO ({self.stage_mark}) NĂM {self.year}"

    @property
    def preliminary(self):
        return self.stage == PRELIMINARY

    @property
    def decision(self):
        review_round = self.review_round
        if self.stage == RECOGNISED and review_round and review_round.decision_number:
            return (f"Kèm theo Quyết định số {review_round.decision_number} ngày "
                    f"{review_round.decision_date:%d/%m/%Y} của Chủ tịch Ủy ban nhân dân {self.issuer_label}")
        return ""


VILLAGE_HEADS = {"tổ dân phố": "TỔ TRƯỞNG TỔ DÂN PHỐ", "khu phố": "TRƯỞNG KHU PHỐ"}


def village_head_title(kind):
    return VILLAGE_HEADS.get(kind, f"TRƯỞNG {(kind or 'thôn').upper()}")


def posting_row(number, assessment):
    household = assessment.household
    return {
        "stt": number, "code": household.code, "head": household.head_name,
        "ethnic_group": household.ethnic_group.name if household.ethnic_group_id else "",
        "classification": year_class_label(assessment), "movement": assessment.get_movement_display(),
        "deprivation_count": assessment.deprivation_count,
        "deprivations": ", ".join(assessment.deprivation_codes),
    }


def _commune_or_404(user, code):
    commune = AdministrativeUnit.objects.filter(code=code, level=Level.COMMUNE).first()
    if commune is None or not can_see_area(user, code):
        raise Http404("Không có xã này trong địa bàn của bạn.")
    return commune


def _chosen(village_codes, village_code):
    """The villages to list: every one, or the one asked for (404 when the commune has no such village)."""
    if not village_code:
        return village_codes
    if village_code != NO_VILLAGE and village_code not in village_codes:
        raise Http404("Không có thôn này trong xã.")
    return {village_code}


def _fill(villages, assessments):
    """Each village's rows: poor then near-poor (by household code), and apart those who left the lists."""
    order = {Classification.POOR: 0, Classification.NEAR_POOR: 1}
    for assessment in sorted(assessments, key=lambda a: (order.get(a.classification, 2), a.household.code)):
        target = villages.get(assessment.village_id or NO_VILLAGE)
        if target is None:
            continue
        if assessment.classification in CERTIFIED_CLASSES:
            target.rows.append(posting_row(len(target.rows) + 1, assessment))
        else:
            target.left.append(posting_row(len(target.left) + 1, assessment))


def posting_lists(*, user, commune_code, year, stage=PRELIMINARY, village_code=None):
    """The posting lists of a commune's review of `year`, one per village (or the one village asked for).
    Http404 for a commune or village outside the user's area, or a year no standard covers;
    PostingListError for a request that cannot be answered (an unknown stage, the recognised list of a round
    not yet recognised)."""
    commune = _commune_or_404(user, commune_code)
    try:
        standard_for_year(year)
    except ValidationError as error:
        raise Http404(error.message_dict["year"][0]) from error
    if stage not in STAGES:
        raise PostingListError("Giai đoạn danh sách không hợp lệ: chọn “dự kiến” (preliminary) hoặc “được công "
                               "nhận” (recognised).")
    review_round = ReviewRound.objects.visible_to(user).filter(commune=commune, year=year).first()
    if stage == RECOGNISED and not (review_round and review_round.is_locked):
        raise PostingListError(f"Kết quả rà soát năm {year} của {commune.label} chưa được công nhận: chỉ in được "
                               "danh sách dự kiến.")
    assessments = list(
        Assessment.objects.visible_to(user).filter(commune=commune, year=year)
        .filter(Q(classification__in=CERTIFIED_CLASSES) | Q(movement__in=list(ESCAPE_LABELS)))
        .select_related("household", "household__ethnic_group"))
    day = year_day(year)
    assessed = {a.village_id for a in assessments if a.village_id}
    under = villages_under(commune.code, year)
    names = UnitNames({commune.code, *under, *assessed})
    # The villages under the commune that year, and any village its results of the year name.
    village_codes = set(under) | assessed
    if any(a.village_id is None for a in assessments):
        village_codes.add(NO_VILLAGE)  # never dropped: listed apart, for the commune to place
    village_codes = _chosen(village_codes, village_code)
    meetings = {m.village_id: m for m in VillageMeeting.objects.visible_to(user).filter(review_round=review_round)} \
        if review_round else {}
    villages = {}
    for code in sorted(village_codes):
        if code == NO_VILLAGE:
            villages[code] = VillageList(code, "Hộ chưa ghi thôn", "TRƯỞNG THÔN", None, None)
            continue
        meeting = meetings.get(code)
        recorded = meeting is not None and stage == PRELIMINARY
        kind, _ = names.kind_name(code, day)
        villages[code] = VillageList(code, names.label(code, day), village_head_title(kind),
                                     meeting.posted_from if recorded else None, meeting.posted_to if recorded else None)
    _fill(villages, assessments)
    if NO_VILLAGE in villages and not villages[NO_VILLAGE].rows and not villages[NO_VILLAGE].left:
        del villages[NO_VILLAGE]
    return PostingLists(commune=commune, year=year, stage=stage, review_round=review_round,
                        issuer_committee=names.committee(commune.code, day), issuer_label=names.label(commune.code, day),
                        villages=list(villages.values()))


def stage_of(request):
    return (request.GET.get("stage") or PRELIMINARY).strip()


@login_required
def posting_list(request, commune, year):
    """/review/<commune>/<year>/posting/?village=<code>&stage=preliminary|recognised[&format=xlsx]"""
    village = (request.GET.get("village") or "").strip()[:20] or None
    stage = stage_of(request)
    if request.GET.get("format") == "xlsx":
        query = urlencode({key: value for key, value in {"stage": stage, "village": village}.items() if value})
        return redirect(f"{reverse('reports:posting-xlsx', args=[commune, year])}?{query}")
    try:
        lists = posting_lists(user=request.user, commune_code=commune, year=year, stage=stage, village_code=village)
    except PostingListError as error:
        return render(request, "review/posting_list.html", {"error": str(error), "year": year,
                                                            "commune_code": commune}, status=400)
    query = urlencode({key: value for key, value in {"stage": stage, "village": village}.items() if value})
    context = {"lists": lists, "year": year, "query": query, "village": village,
               "xlsx_url": f"{reverse('reports:posting-xlsx', args=[commune, year])}?{query}",
               "recognised_offered": bool(lists.review_round and lists.review_round.is_locked)}
    return render(request, "review/posting_list.html", context)
