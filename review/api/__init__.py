"""API of the annual review, one module per group of resources: standards and assessments, review rounds and
their village meetings, certificates with requests and regular reviews. The viewsets are handed on here for
the router (poverty_tracker.api.urls)."""
from review.api.assessments import AssessmentViewSet, StandardViewSet
from review.api.regular import CertificateViewSet, RegularReviewViewSet
from review.api.requests import ReviewRequestViewSet
from review.api.rounds import ReviewRoundViewSet

__all__ = ["AssessmentViewSet", "CertificateViewSet", "RegularReviewViewSet", "ReviewRequestViewSet",
           "ReviewRoundViewSet", "StandardViewSet"]
