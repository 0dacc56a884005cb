"""/api/v1/: one router for every app's resources, the reports, token auth, schema and docs."""
from django.urls import path
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ObtainToken
from areas import api as areas
from households import api as households
from households import api_moves as household_moves
from importing import api as importing
from living_standard import api as living_standard
from low_income import api as low_income
from poverty_tracker.api.pages import ApiRoot, SchemaView
from programs import api as programs
from reports import api as reports
from review import api as review

router = DefaultRouter()
router.APIRootView = ApiRoot  # named and described in Vietnamese
router.register("areas", areas.AreaViewSet, basename="area")
router.register("household-counts", reports.HouseholdCountViewSet, basename="household-count")
router.register("ethnic-groups", households.EthnicGroupViewSet, basename="ethnic-group")
router.register("households", households.HouseholdViewSet, basename="household")
router.register("members", households.MemberViewSet, basename="member")
router.register("household-events", household_moves.HouseholdEventViewSet, basename="household-event")
router.register("poverty-standards", review.StandardViewSet, basename="poverty-standard")
router.register("assessments", review.AssessmentViewSet, basename="assessment")
router.register("review-rounds", review.ReviewRoundViewSet, basename="review-round")
router.register("review-requests", review.ReviewRequestViewSet, basename="review-request")
router.register("regular-reviews", review.RegularReviewViewSet, basename="regular-review")
router.register("certificates", review.CertificateViewSet, basename="certificate")
router.register("living-standard-requests", living_standard.RequestViewSet, basename="living-standard-request")
router.register("living-standard-determinations", living_standard.DeterminationViewSet,
                basename="living-standard-determination")
router.register("living-standard-decisions", living_standard.DecisionViewSet, basename="living-standard-decision")
router.register("low-income-applications", low_income.ApplicationViewSet, basename="low-income-application")
router.register("low-income-determinations", low_income.DeterminationViewSet, basename="low-income-determination")
router.register("low-income-confirmations", low_income.ConfirmationViewSet, basename="low-income-confirmation")
router.register("programs", programs.ProgramViewSet, basename="program")
router.register("budget-allocations", programs.BudgetAllocationViewSet, basename="budget-allocation")
router.register("benefits", programs.BenefitViewSet, basename="benefit")
router.register("community-projects", programs.CommunityProjectViewSet, basename="community-project")
router.register("cooperative-groups", programs.CooperativeGroupViewSet, basename="cooperative-group")
router.register("training-courses", programs.TrainingCourseViewSet, basename="training-course")
router.register("commendations", programs.CommendationViewSet, basename="commendation")
router.register("imports", importing.ImportView, basename="import")

app_name = "api"
urlpatterns = [
    path("auth/token/", ObtainToken.as_view(), name="token"),
    path("reports/poverty/", reports.PovertyReport.as_view(), name="report-poverty"),
    path("reports/spending/", reports.SpendingReport.as_view(), name="report-spending"),
    path("reports/training/", reports.TrainingReport.as_view(), name="report-training"),
    path("reports/cooperatives/", reports.CooperativesReport.as_view(), name="report-cooperatives"),
    path("reports/deprivation/", reports.DeprivationReport.as_view(), name="report-deprivation"),
    path("reports/deprivation-by-area/", reports.DeprivationByAreaReport.as_view(), name="report-deprivation-by-area"),
    path("reports/ethnic-groups/", reports.EthnicGroupsReport.as_view(), name="report-ethnic-groups"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
