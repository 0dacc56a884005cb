"""Certificates of poor and near-poor households (Giấy chứng nhận hộ nghèo, hộ cận nghèo, Mẫu số 03).

One certificate per household for a standard's period: issued when the household is first recognised poor
or near-poor under that standard (the commune chairman's recognition of an annual round, or a regular
in-year recognition), numbered in the issuing commune for that standard (1, 2, 3 … in household code order
within one recognition), and confirmed year by year on its grid (review.printouts draws it). A household
that already holds the certificate of the standard keeps it and its number; a later year only fills a row
of its grid.

Writers run inside the caller's transaction (round_recognise, the regular review) and lock the issuing
commune's row first, so two recognitions in one commune never draw the same number. Audit rows name the
acting user (core.bulk.insert_with_history: simple-history's bulk path on SQLite, one INSERT … SELECT on
PostgreSQL).
"""
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from areas.models import AdministrativeUnit
from core.bulk import insert_with_history
from review.models import Assessment, Certificate, Classification

CERTIFIED_CLASSES = (Classification.POOR, Classification.NEAR_POOR)
# The number as the form writes it: "Số: 12/GCN-HN.HCN" (giấy chứng nhận hộ nghèo, hộ cận nghèo).
NUMBER_SUFFIX = "GCN-HN.HCN"


def certificate_number_text(certificate):
    """"12/GCN-HN.HCN", the number as printed on the certificate."""
    return f"{certificate.number}/{NUMBER_SUFFIX}"


def _lock_commune(commune_id):
    """Serialise numbering in one commune: the commune's row is locked until the caller's transaction ends.
    NO KEY UPDATE: it excludes a second issuer but not the key-share lock that inserting a household (or any
    row pointing at the commune) takes, so registering households is never held up by a recognition."""
    list(AdministrativeUnit.objects.select_for_update(no_key=True).filter(pk=commune_id).values_list("pk", flat=True))


def _next_numbers(commune_id, standard_ids):
    """The last number used in the commune for each standard: one query."""
    used = dict(Certificate.objects.filter(commune_id=commune_id, standard_id__in=standard_ids)
                .values_list("standard_id").annotate(last=Max("number")).values_list("standard_id", "last"))
    return {standard_id: used.get(standard_id) or 0 for standard_id in standard_ids}


NO_DECISION = ("Chưa cấp giấy chứng nhận: đợt rà soát chưa có quyết định công nhận của Chủ tịch UBND xã (số, ngày). "
               "Giấy chứng nhận mang ngày của quyết định.")


def _issued_on(review_round):
    """The certificate is dated by the recognition decision; no decision, no certificate."""
    if not (review_round.decision_number and review_round.decision_date):
        raise ValidationError({"decision_number": NO_DECISION})
    return review_round.decision_date


@transaction.atomic
def certificates_issue(*, review_round, acting_user=None):
    """Give every poor or near-poor household of a recognised round the certificate of its assessment's
    standard, if it has none yet; numbered next in the round's commune for that standard, in household code
    order, dated by the round's recognition decision (ValidationError when it has none). Returns the new
    certificates.

    Queries do not grow with the households: one read of the round's certified households without a
    certificate, one for the last numbers, one bulk insert (with its history rows)."""
    day = _issued_on(review_round)
    commune_id = review_round.commune_id
    _lock_commune(commune_id)
    wanted = list(
        Assessment.objects.filter(review_round=review_round, classification__in=CERTIFIED_CLASSES)
        .exclude(Exists(Certificate.objects.filter(household_id=OuterRef("household_id"),
                                                   standard_id=OuterRef("standard_id"))))
        .order_by("household__code").values_list("household_id", "standard_id"))
    if not wanted:
        return []
    last = _next_numbers(commune_id, {standard_id for _, standard_id in wanted})
    certificates = []
    for household_id, standard_id in wanted:
        last[standard_id] += 1
        certificates.append(Certificate(household_id=household_id, standard_id=standard_id, commune_id=commune_id,
                                        number=last[standard_id], issued_on=day))
    reason = f"Cấp giấy chứng nhận theo kết quả rà soát năm {review_round.year}"
    if review_round.decision_number:
        reason += f" (QĐ {review_round.decision_number})"
    return insert_with_history(Certificate, certificates, user=acting_user, reason=reason[:100])


@transaction.atomic
def certificates_issue_for_household(household, standard, commune, issued_on, *, acting_user=None, reason=None):
    """The certificate of `household` for `standard`: the one it holds, else a new one numbered next in
    `commune` (a regular in-year recognition). Returns (certificate, created)."""
    household_id = getattr(household, "pk", household)
    standard_id = getattr(standard, "pk", standard)
    commune_id = getattr(commune, "pk", commune)
    held = Certificate.objects.filter(household_id=household_id, standard_id=standard_id).first()
    if held is not None:
        return held, False
    _lock_commune(commune_id)
    held = Certificate.objects.filter(household_id=household_id, standard_id=standard_id).first()
    if held is not None:  # issued by another transaction while this one waited for the lock
        return held, False
    number = _next_numbers(commune_id, {standard_id})[standard_id] + 1
    if isinstance(issued_on, datetime.datetime):
        issued_on = issued_on.date()
    certificate = Certificate(household_id=household_id, standard_id=standard_id, commune_id=commune_id,
                              number=number, issued_on=issued_on or timezone.localdate())
    insert_with_history(Certificate, [certificate], user=acting_user,
                        reason=(reason or "Cấp giấy chứng nhận (rà soát thường xuyên)")[:100])
    return certificate, True
