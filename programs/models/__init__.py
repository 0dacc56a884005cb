from programs.models.catalogue import UNITS, Program, check_program_year, short_name  # noqa: F401
from programs.models.community import (  # noqa: F401
    Commendation,
    CommunityProject,
    CooperativeGroup,
    GroupMembership,
    SponsorKind,
    Sponsorship,
    SponsorVisit,
    Trainee,
    TraineeStatus,
    TrainingCourse,
)
from programs.models.support import MAX_AMOUNT, MAX_BUDGET, MAX_QUANTITY, Benefit, BudgetAllocation  # noqa: F401
