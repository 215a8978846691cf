"""Every table, imported in one place so metadata is complete for Alembic and create_all()."""
from .accounts.models import ApiToken, User
from .audit.models import AuditEntry
from .events.models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from .feeds.models import FeedAlias, FeedBody, FeedFragment, FeedFragmentBody, FeedState
from .indicators.models import ImportedReport, IndicatorTarget, InstitutionMonth, InstitutionMonthKey, Plan
from .notifications.models import Reminder
from .observances.models import Observance, ObservanceDate
from .participation.models import Attendance, AttendanceAudience, MonthlyTally, SelfAssessment, YearReport
from .places.models import Area, AreaSuccession, Institution, Placement
from .registration.models import Registrant, RegistrantMail, Registration
from .scheduler.models import JobRun

__all__ = [
    "Activity", "ActivityAudience", "ActivityCategory", "ActivityObservance", "ApiToken", "Area", "AreaSuccession",
    "Attendance", "AttendanceAudience", "AuditEntry", "FeedAlias", "FeedBody", "FeedFragment", "FeedFragmentBody",
    "FeedState",
    "ImportedReport", "IndicatorTarget", "Institution",
    "InstitutionMonth", "InstitutionMonthKey", "JobRun",
    "MonthlyTally", "Observance", "ObservanceDate", "Occurrence", "Placement", "Plan", "Registrant", "RegistrantMail",
    "Registration",
    "Reminder", "SelfAssessment", "User", "YearReport",
]
