"""Waits on events instead of sleeping: a child process ending (its pidfd)
and writes to the files of one folder (inotify: the database and its WAL),
each wait with a deadline. Linux only, as the rest of the harness."""
import ctypes
import ctypes.util
import os
import selectors

K_IN_MODIFY, K_IN_MOVED_TO, K_IN_CREATE = 0x2, 0x80, 0x100
K_IN_NONBLOCK, K_IN_CLOEXEC = os.O_NONBLOCK, os.O_CLOEXEC
_LIBC = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


class ProcessEvents:
    """The end of process `pid` (a child not reaped yet) and writes to the
    files directly in `folder`."""

    def __init__(self, pid, folder):
        self.selector = selectors.DefaultSelector()
        self.pidfd = os.pidfd_open(pid)
        self.selector.register(self.pidfd, selectors.EVENT_READ, "exit")
        self.inotify = _LIBC.inotify_init1(K_IN_NONBLOCK | K_IN_CLOEXEC)
        if self.inotify < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        mask = K_IN_MODIFY | K_IN_CREATE | K_IN_MOVED_TO
        if _LIBC.inotify_add_watch(self.inotify, os.fsencode(folder), mask) < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch %s" % folder)
        self.selector.register(self.inotify, selectors.EVENT_READ, "write")
        self.exited = False

    def wait(self, seconds):
        """Until the process ends, a file of the folder is written, or
        `seconds` pass. Returns what happened: a subset of {"exit",
        "write"}. The end is reported once."""
        happened = set()
        for key, _ in self.selector.select(max(0.0, seconds)):
            happened.add(key.data)
        if "write" in happened:
            self._drain()
        if "exit" in happened:
            self.exited = True
            self.selector.unregister(self.pidfd)
        return happened

    def _drain(self):
        try:
            while os.read(self.inotify, 65536):
                pass
        except BlockingIOError:
            pass

    def close(self):
        self.selector.close()
        os.close(self.pidfd)
        os.close(self.inotify)
