"""The embedded broker: kombu's filesystem transport, made safe for several processes.

kombu's own filesystem transport creates a message file and then writes it. A worker listing the
folder in between takes the empty file, fails with ``JSONDecodeError`` and loses the message; the
same race exists on the exchange files that bind queues. Here every file is written under a
temporary name in the same folder and renamed into place (``os.replace`` is atomic on one file
system), so a reader sees either no file or the whole file, never a part of one.

Used when no broker URL is set (``scripts/run``); production uses Redis.
Example: ``CELERY_BROKER_URL = "filesystem://"`` with
``CELERY_BROKER_TRANSPORT = "portal.broker:AtomicFilesystemTransport"``.
"""

from __future__ import annotations

import logging
import os
import uuid
from contextlib import contextmanager
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

logger = logging.getLogger(__name__)


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that no reader ever sees a partial file.

    Example: ``write_atomically("var/broker/messages/1_ab.reports.msg", b'{"body": ...}')``
    writes ``.1_ab.reports.msg.<random>.partial`` first, then renames it.
    """
    folder, name = os.path.split(os.fspath(path))
    temporary = os.path.join(folder, f".{name}.{uuid.uuid4().hex}.partial")
    try:
        with open(temporary, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


class AtomicFilesystemChannel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put a message on ``queue``: the same file name as kombu's, written atomically."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        try:
            write_atomically(os.path.join(self.data_folder_out, name), str_to_bytes(dumps(payload)))
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to directory") from exc

    def _get(self, queue):
        """kombu's reader, except that an unreadable message file (left by an older version's
        torn write) is dropped with an error in the log instead of stopping the worker."""
        while True:
            try:
                return super()._get(queue)
            except ValueError as exc:  # JSONDecodeError: not a whole message
                logger.error("skipped a broken message file on queue %s: %s", queue, exc)

    @contextmanager
    def _exchange_lock(self, exchange):
        """One writer of an exchange's binding table at a time, across processes."""
        self.control_folder.mkdir(parents=True, exist_ok=True)
        lock_path = self.control_folder / f"{exchange}.lock"
        with open(lock_path, "a") as lock_file:
            filesystem.lock(lock_file, filesystem.LOCK_EX)
            try:
                yield
            finally:
                filesystem.unlock(lock_file)

    def get_table(self, exchange):
        file = self._exchange_file(exchange)
        try:
            data = file.read_bytes()  # complete: tables are only ever replaced whole
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open {file}") from exc
        return [filesystem.exchange_queue_t(*q) for q in loads(bytes_to_str(data))]

    def _write_table(self, exchange, queues) -> None:
        write_atomically(self._exchange_file(exchange), str_to_bytes(dumps(queues)))

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        value = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        try:
            with self._exchange_lock(exchange):
                queues = self.get_table(exchange)
                if value not in queues:
                    self._write_table(exchange, [value, *queues])
        except OSError as exc:
            raise ChannelError(f"Cannot bind {queue} to {exchange}") from exc

    def _delete(self, queue, exchange, routing_key, pattern, *args, **kwargs):
        # The virtual transport's in-memory bookkeeping, then our own table (not kombu's in-place edit).
        super(filesystem.Channel, self)._delete(
            queue, exchange, routing_key, pattern, *args, **kwargs
        )
        value = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._exchange_lock(exchange):
            queues = self.get_table(exchange)
            if value in queues:
                self._write_table(exchange, [q for q in queues if q != value])


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicFilesystemChannel
