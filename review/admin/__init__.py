"""The review's admin, one module per group of pages: standards, assessments, rounds (with their village
meetings and the certificates), requests and regular reviews. Importing the modules registers them."""
from review.admin import assessments, calendars, regular, rounds, standards  # noqa: F401 (registers the admins)
