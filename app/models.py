"""Every feature's models in one place, so that the metadata (and Alembic) sees them all."""

from .accounts.models import AccountToken, AuditEvent, Invitation, User
from .agenda import models as agenda_models  # noqa: F401
from .chat.models import Channel, ChannelMember, Message, MessageRevision
from .codev import models as codev_models  # noqa: F401
from .library import models as library_models  # noqa: F401
from .members.models import Profile
from .moderation.models import ModerationAction, Report, ReportEntry
from .notifications.models import Activity, Notification, NotificationPreference, Subscription
from .projects import models as projects_models  # noqa: F401
from .taxonomy import TaxonomyTerm
from .walls.models import Attachment, Comment, Post, Reaction, Revision, Wall

__all__ = [
    "AccountToken", "Activity", "Attachment", "AuditEvent", "Channel", "ChannelMember", "Comment",
    "Invitation", "Message", "MessageRevision", "ModerationAction", "Notification",
    "NotificationPreference", "Post", "Profile", "Reaction", "Report", "ReportEntry", "Revision",
    "Subscription", "TaxonomyTerm", "User", "Wall",
]
