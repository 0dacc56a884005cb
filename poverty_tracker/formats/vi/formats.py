"""Dates and times as Vietnamese write them, for every form, filter and page (issue 26.1).

Django's own Vietnamese module shows dates long-hand ("Ngày 14 tháng 11 năm 2025") and names no input formats,
so Django fell back to its US ones: "10/11/2026" was read as 11 October and "20/11/2026" refused. Here a date is
read day first, dd/mm/yyyy (also dd-mm-yyyy), or in ISO form yyyy-mm-dd (what a browser's own date
picker and the API send); never month first. The first input format is also how a date field shows its value.
Shown: "14/11/2025", "14/11/2025 07:00". Anything not named here comes from Django's module (numbers: 1.234,5).
"""
DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%H:%M:%S.%f"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d",
]
