"""Reading ?year= and ?area= the same way on pages, JSON and Excel: clear errors, never a stack trace."""
import datetime

from review.models import ReviewRound


class BadParameter(ValueError):
    pass


def parse_year(value, default):
    if value in (None, ""):
        return default
    try:
        year = int(str(value).strip())
    except ValueError:
        raise BadParameter(f"Năm “{value}” không hợp lệ: hãy nhập 4 chữ số, ví dụ 2024.") from None
    if not 2000 <= year <= 2100:
        raise BadParameter(f"Năm {year} nằm ngoài khoảng 2000–2100.")
    return year


def available_years(user):
    """Years with a review in the user's area: from the rounds (communes × years), not by scanning every
    assessment, which at province scale is a million rows."""
    years = sorted(set(ReviewRound.objects.visible_to(user).values_list("year", flat=True).distinct()))
    return years or [datetime.date.today().year]

