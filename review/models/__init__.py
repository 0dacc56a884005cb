"""The annual review's models, one module per group: standards (reference data), rounds and village meetings,
assessments, requests and regular reviews, certificates. Every name is handed on here: callers and the
migrations know them as review.models.<Name>; the app label is "review" for all of them."""
from review.calendar import DISTRICTS_ABOLISHED_ON, LEVEL_ABOVE_NAMES, level_above
from review.models.assessments import Assessment, AssessmentQuerySet, deprivation_key
from review.models.calendars import ReviewCalendar, ReviewCalendarQuerySet
from review.models.certificates import Certificate, CertificateQuerySet
from review.models.requests import (
    RegularReview,
    RegularReviewQuerySet,
    RequestKind,
    RequestProcedure,
    ReviewRequest,
    ReviewRequestQuerySet,
)
from review.models.rounds import (
    MAX_MEETING_ATTENDEES,
    TOO_MANY_ATTENDEES,
    DecisionKind,
    RecognitionDecision,
    ReviewRound,
    ReviewRoundQuerySet,
    RoundLockedError,
    RoundStatus,
    VillageMeeting,
    VillageMeetingQuerySet,
    meeting_passed,
    reopen_hint,
    villages_of,
)
from review.models.standards import (
    AreaType,
    Indicator,
    PovertyReason,
    PovertyStandard,
    PovertyStandardQuerySet,
    StandardLine,
)
from review.vocabulary import ESCAPE_MOVEMENTS, Classification, Movement

__all__ = [
    "DISTRICTS_ABOLISHED_ON", "ESCAPE_MOVEMENTS", "LEVEL_ABOVE_NAMES", "MAX_MEETING_ATTENDEES", "TOO_MANY_ATTENDEES",
    "AreaType", "Assessment", "DecisionKind", "RecognitionDecision", "AssessmentQuerySet", "Certificate", "CertificateQuerySet", "Classification",
    "Indicator", "Movement", "PovertyReason", "PovertyStandard", "PovertyStandardQuerySet", "RegularReview",
    "RegularReviewQuerySet", "RequestKind", "RequestProcedure", "ReviewRequest", "ReviewRequestQuerySet", "ReviewRound",
    "ReviewCalendar", "ReviewCalendarQuerySet", "ReviewRoundQuerySet", "RoundLockedError", "RoundStatus", "StandardLine", "VillageMeeting",
    "VillageMeetingQuerySet", "deprivation_key", "level_above", "meeting_passed", "reopen_hint", "villages_of",
]
