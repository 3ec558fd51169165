"""Celery, configured in one place. Imported by the environment settings modules."""

from celery.schedules import crontab
from kombu import Queue

from portal import env

REPORTS_QUEUE = "reports"

CELERY_BROKER_URL = env.CELERY_BROKER_URL or "filesystem://"
# The embedded broker is kombu's filesystem transport with atomic writes (portal.broker): a
# worker never reads a message file before it is whole.
CELERY_BROKER_TRANSPORT = (
    "portal.broker:AtomicFilesystemTransport"
    if CELERY_BROKER_URL.startswith("filesystem")
    else None
)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": f"{env.BROKER_FOLDER}/messages",
        "data_folder_out": f"{env.BROKER_FOLDER}/messages",
        "processed_folder": f"{env.BROKER_FOLDER}/processed",
        "control_folder": f"{env.BROKER_FOLDER}/control",
        "store_processed": False,
        # Look for new messages every 0.2 s (kombu's default is 1 s: a queue of reports would
        # then go no faster than one a second, whatever the render takes).
        "polling_interval": 0.2,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    # Redis hands an unacknowledged task to another worker after this many seconds; it must
    # exceed the render's hard time limit so a running render is never duplicated.
    else {"visibility_timeout": 600}
)
# Fail fast when the broker is down: the request is recorded and re-sent later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_QUEUES = [Queue(REPORTS_QUEUE)]
CELERY_TASK_DEFAULT_QUEUE = REPORTS_QUEUE
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": REPORTS_QUEUE}}
CELERY_TIMEZONE = "Asia/Tokyo"
#: Time limits of one report render. The largest valid assessment ran past the old 60 s limit under
#: load (three times out of three); 150 s gives it room with two renders sharing a core, and the
#: hard limit leaves 30 s for the soft limit's failure to be recorded before the process is killed.
REPORT_RENDER_SOFT_LIMIT = 150
REPORT_RENDER_HARD_LIMIT = 180
#: A report still 'rendering' this long after it started belongs to a worker that died. It must
#: exceed the hard limit, or a live but slow render would be taken over and done twice.
REPORT_STALE_AFTER_SECONDS = REPORT_RENDER_HARD_LIMIT + 60
CELERY_BEAT_SCHEDULE = {
    "reports-requeue-stale": {"task": "reports.tasks.report_requeue_stale_task", "schedule": 60.0},
    # Daily at 08:00 Tokyo time: due-soon and overdue reminders (never sent twice).
    "assessments-due-reminders": {
        "task": "assessments.tasks.due_reminders_send_task",
        "schedule": crontab(hour=8, minute=0),
    },
}
