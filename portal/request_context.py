from contextvars import ContextVar

#: The id of the request being served, or "" outside a request (commands, workers).
request_id_var: ContextVar[str] = ContextVar("request_id", default="")

#: The request being served (set by RequestIdMiddleware), so account changes made through the
#: admin or the password page are audited with the person who made them as actor.
request_var: ContextVar[object | None] = ContextVar("request", default=None)
