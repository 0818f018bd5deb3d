"""Every model module, imported together so mappers and Alembic see them all."""
from app.audit.models import AuditLog  # noqa: F401
from app.catalogue.models import FlowStep, FlowTransition, Power  # noqa: F401
from app.risks.models import (ControlMeasure, FormRevision, ReviewStep, RiskForm,  # noqa: F401
                              RiskPoint, Rule, SupervisionMethod)
from app.organisation.models import City, County, Person, Post, Section, Unit  # noqa: F401
from app.security.models import Login  # noqa: F401
from app.assessment.models import (Assessment, Commendation, FollowUpVisit, Inspection,  # noqa: F401
                                   RectificationNotice, SelfCheck, SelfCheckAttachment)
from app.archives.models import ArchiveEntry, ArchiveRead, Disposition, IntegrityArchive, IntegrityTalk  # noqa: F401
from app.plan.models import PlanDeliverable, PlanPhase, PlanSubmission  # noqa: F401
from app.reminders.models import Delivery, Message, ReminderRule, SchedulerLease  # noqa: F401
from app.monitoring.models import (MeasureCheck, RiskWarning, Signal, WarningFollowUp,  # noqa: F401
                                   WarningRule)
from app.reports.models import SummaryFigure, SummaryRule  # noqa: F401
from app.workflow.models import ReviewFlow  # noqa: F401
