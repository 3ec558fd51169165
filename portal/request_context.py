from contextvars import ContextVar

#: The id of the request being served, or "" outside a request (commands, workers).
request_id_var: ContextVar[str] = ContextVar("request_id", default="")
