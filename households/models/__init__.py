from households.models.areas import (  # noqa: F401
    KINDS, AdministrativeUnit, AdministrativeUnitVersion, Level, UrbanRule,
)
from households.models.base import ConcurrentEditError, VersionedModel  # noqa: F401
from households.models.officers import Officer, OfficerScope, Role, can_edit, role_of  # noqa: F401
from households.models.people import (  # noqa: F401
    EthnicGroup, Gender, Household, HouseholdStatus, Member, Relation,
)
from households.models.review import (  # noqa: F401,E402
    AreaType, Assessment, Classification, Indicator, Movement, PovertyReason, PovertyStandard, ReviewRound,
    RoundLockedError, RoundStatus, StandardLine,
)
