#!/usr/bin/python3
"""A local SMTP server for the tests (Debian's python3-aiosmtpd).

Usage: /usr/bin/python3 smtp_sink.py FOLDER [PORT]

Listens on 127.0.0.1, on PORT or a port the system picks, and prints that
port as the first line of stdout (a relay restarted on its old port). Plain SMTP only: it never offers STARTTLS.

Each accepted message becomes one file FOLDER/msg-NNNNNN.eml, written under
a temporary name and renamed, so a reader never sees half a message:

    MAIL FROM:<sender>
    RCPT TO:<recipient>          (one line per recipient)
    <blank line>
    <the message as received>

A recipient containing "refuse" is answered 550, one containing "later"
451; the message is then not stored for that recipient.

The sink ends with its parent (a test that crashed leaves no server behind).
"""

import asyncio
import ctypes
import itertools
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent():
    parent = os.getppid()
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl
        sys.exit(1)

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.counter = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "refuse" in address:
            return "550 5.1.1 mailbox unavailable"
        if "later" in address:
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        head = "MAIL FROM:<%s>\r\n" % envelope.mail_from
        for rcpt in envelope.rcpt_tos:
            head += "RCPT TO:<%s>\r\n" % rcpt
        head += "\r\n"
        name = "msg-%06d.eml" % next(self.counter)
        temporary = os.path.join(self.folder, "." + name + ".tmp")
        with open(temporary, "wb") as out:
            out.write(head.encode("utf-8"))
            out.write(envelope.original_content or envelope.content)
        os.replace(temporary, os.path.join(self.folder, name))
        return "250 2.0.0 stored"


async def main(folder, port):
    os.makedirs(folder, exist_ok=True)
    sink = Sink(folder)
    loop = asyncio.get_running_loop()
    # hostname given: aiosmtpd would otherwise ask DNS for the FQDN.
    server = await loop.create_server(
        lambda: SMTP(sink, hostname="sink.test", enable_SMTPUTF8=True),
        host="127.0.0.1", port=port, reuse_address=True)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: smtp_sink.py FOLDER [PORT]")
    die_with_parent()
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) == 3 else 0))
