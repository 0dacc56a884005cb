"""Re-classification of whole years as a background job (core/jobs), registered from ReviewConfig.ready().

The standards' admin launches it after a line changed: on a worker when a broker is configured, else in the
admin's request. The Celery task keeps the name it had when reports owned it ("reports.reclassify_job"), so a
job queued by an earlier release still runs after an upgrade.
"""
from django.core.exceptions import ValidationError

from core import jobs
from review.locks import held_back_notice
from review.movements import year_reclassify


def reclassify(*, user, years) -> list[tuple[str, str]]:
    """year_reclassify of each year in turn; what it did in words, as (level, text) lines: "success" for each
    year, "warning" for the rounds it held back. A year refused (a locked round) stops there; the years before
    it are done and the message says so."""
    lines = []
    for year in years:
        try:
            outcome = year_reclassify(acting_user=user, year=year)
        except ValidationError as error:
            done = [text for _, text in lines]
            raise ValidationError(" ".join([*done, f"Năm {year}: {'; '.join(error.messages)}"])) from error
        lines.append(("success", f"Năm {year}: {outcome.changed} hộ đổi phân loại."))
        if outcome.held_back:
            lines.append(("warning", held_back_notice(outcome.held_back, reclassify=True)))
    return lines


def _reclassify_job(job, *, years=None, year=None):
    # `year`: a job queued by an earlier release (one year per job) still runs after an upgrade.
    lines = reclassify(user=job.user, years=years or [year])
    return jobs.Outcome(result={"message": " ".join(text for _, text in lines), "lines": lines})


def register() -> None:
    jobs.register("reclassify", _reclassify_job, task="reports.reclassify_job", refused=(ValidationError,),
                  limits=(("RECLASSIFY_MAX_CONCURRENT", 1), ("RECLASSIFY_MAX_PER_OFFICER", 1)))
