"""Every table, imported in one place so metadata is complete for Alembic and create_all()."""
from .accounts.models import ApiToken, User
from .audit.models import AuditEntry
from .events.models import Activity, ActivityAudience, ActivityCategory, ActivityObservance, Occurrence
from .indicators.models import IndicatorTarget, InstitutionMonth, InstitutionMonthKey
from .notifications.models import Reminder
from .observances.models import Observance, ObservanceDate
from .participation.models import Attendance, AttendanceAudience, MonthlyTally, SelfAssessment, YearReport
from .places.models import Area, Institution
from .registration.models import Registrant, Registration
from .scheduler.models import JobRun

__all__ = [
    "Activity", "ActivityAudience", "ActivityCategory", "ActivityObservance", "ApiToken", "Area",
    "Attendance", "AttendanceAudience", "AuditEntry", "IndicatorTarget", "Institution", "InstitutionMonth",
    "InstitutionMonthKey", "JobRun",
    "MonthlyTally", "Observance", "ObservanceDate", "Occurrence", "Registrant", "Registration",
    "Reminder", "SelfAssessment", "User", "YearReport",
]
