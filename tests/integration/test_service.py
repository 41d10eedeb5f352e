# SPDX-License-Identifier: ISC
"""hirobad as systemd runs it (issue 16), without systemd: the test plays systemd's part.

NOTIFY_SOCKET is a Unix datagram socket made here, so the test reads what sd_notify
sends: READY=1, STATUS= lines (peers connected, records, lag) and RELOADING=1 ... READY=1
around a reload. RUNTIME_DIRECTORY is a folder made here: the control socket goes there
and the data directory links to it. SIGHUP applies a new [http] (the new port answers,
the old one closes; a port that is taken keeps the old server), [limits] and log, and
names what needs a restart. The bash completion asks the running daemon for references.
"""
import os
import re
import time
import shutil
import signal
import socket
import stat
import subprocess
import urllib.request
import unittest

import hb
from hb import event, wait_for

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEB = os.path.join(SRC, "deploy", "web")
T0 = int(time.time()) + 3 * 86400     # `events` lists the next 30 days


def get(port, path="/healthz"):
    """The body of http://127.0.0.1:port/path, or None if nothing answers."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.read().decode()
    except OSError:
        return None


class Notify:
    """systemd's end of NOTIFY_SOCKET: a datagram socket; messages() drains it."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setblocking(False)
        self.got = []

    def messages(self):
        while True:
            try:
                self.got.append(self.sock.recv(4096).decode())
            except BlockingIOError:
                return self.got

    def after(self, n):
        """Messages received after the first n."""
        return self.messages()[n:]

    def close(self):
        self.sock.close()


class Service(hb.FederationTest):

    def start_as_unit(self, g):
        """Start g's hirobad with the environment systemd gives the unit."""
        g.run = os.path.join(self.fed.tmp, g.name + "-run")
        os.mkdir(g.run, 0o700)
        g.notify = Notify(os.path.join(self.fed.tmp, g.name + "-notify"))
        self.addCleanup(g.notify.close)
        saved = dict(os.environ)
        os.environ.update(NOTIFY_SOCKET=g.notify.path, RUNTIME_DIRECTORY=g.run)
        try:
            g.start()
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def set_http(self, g, port, extra=""):
        """Replace g's [http] section (it is the config's last)."""
        with open(g.conf, encoding="utf-8") as f:
            text = f.read().split("\n[http]\n")[0]
        with open(g.conf, "w", encoding="utf-8") as f:
            f.write(text + "\n[http]\nlisten = 127.0.0.1:%d\nstatic = %s\n%s"
                    % (port, WEB, extra))

    def status_lines(self, g):
        return [m for m in g.notify.messages() if m.startswith("STATUS=")]

    def test_socket_status_and_http_reload(self):
        center = self.fed.add_center(start=False)
        port1 = hb.free_port()
        self.set_http(center, port1)
        self.start_as_unit(center)

        # the control socket: in the runtime directory, linked from the data directory
        sock = os.path.join(center.run, "ctl.sock")
        link = os.path.join(center.dir, "ctl.sock")
        self.assertTrue(stat.S_ISSOCK(os.stat(sock).st_mode))
        self.assertEqual(os.readlink(link), sock)
        self.assertEqual(stat.S_IMODE(os.stat(sock).st_mode), 0o600)

        wait_for("READY=1", lambda: "READY=1" in center.notify.messages())
        wait_for("a STATUS= line", lambda: self.status_lines(center))
        self.assertRegex(self.status_lines(center)[-1],
                         r"^STATUS=peers 0/0 connected, \d+ records, lag 0$")
        n0 = int(re.search(r"(\d+) records", self.status_lines(center)[-1]).group(1))
        center.publish(event("event/svc-1", "サービスの会", T0))
        wait_for("STATUS= counting the new record", lambda: any(
            "%d records" % (n0 + 1) in m for m in self.status_lines(center)))
        self.assertIsNotNone(get(port1))
        # the libmicrohttpd warning about its logger option at every start is gone
        self.assertNotIn("MHD_OPTION_EXTERNAL_LOGGER", center.logtext())

        # a nursery that connects to the center says so in its STATUS=
        nursery = self.fed.add_group("nursery")
        nursery.add_peer(center)
        self.start_as_unit(nursery)
        wait_for("the nursery's STATUS= with its peer connected", lambda: any(
            m.startswith("STATUS=peers 1/1 connected") for m in self.status_lines(nursery)))

        # SIGHUP: a new [http] port, a new rate, and a setting that needs a restart
        port2 = hb.free_port()
        self.set_http(center, port2, "title = 新しいタイトル\n")
        with open(center.conf, encoding="utf-8") as f:
            text = f.read()
        with open(center.conf, "w", encoding="utf-8") as f:
            f.write(text.replace("[node]\n", "[node]\nlog = debug\n", 1) +
                    "\n[limits]\nrate = 500\nmax_message = 8M\n")
        seen = len(center.notify.messages())
        center.proc.send_signal(signal.SIGHUP)
        wait_for("the page on the new port", lambda: get(port2))
        self.assertIsNone(get(port1), "the old port still answers")
        self.assertIn("新しいタイトル", get(port2, "/config.json"))
        wait_for("READY=1 after the reload", lambda: "READY=1" in center.notify.after(seen))
        new = center.notify.after(seen)
        self.assertRegex(new[0], r"^RELOADING=1\nMONOTONIC_USEC=\d+$")
        self.assertLess(new.index(new[0]), new.index("READY=1"))
        log = center.logtext()
        self.assertIn("reload: [http] applied (listen 127.0.0.1:%d)" % port2, log)
        self.assertIn("reload: [limits] rate 2000 -> 500", log)
        self.assertIn("reload: [node] log = debug (hirobad -v: debug stays on)", log)
        self.assertIn("reload: [limits] max_message changed: takes effect at the next "
                      "restart", log)
        self.assertIn("reload: done", log)
        self.assertTrue(center.answers())

        # a broken file changes nothing, and says so
        with open(center.conf, "a", encoding="utf-8") as f:
            f.write("\n[nonsense]\n")
        seen = len(center.notify.messages())
        center.proc.send_signal(signal.SIGHUP)
        wait_for("READY=1 after the failed reload",
                 lambda: "READY=1" in center.notify.after(seen))
        self.assertIn("unknown section [nonsense]", center.logtext())
        self.assertIn("keeping the running configuration", center.logtext())
        self.assertIsNotNone(get(port2))

        # stopped: the socket and its link are gone, the CLI says "not running"
        self.assertEqual(center.stop(), 0)
        self.assertFalse(os.path.lexists(link))
        self.assertFalse(os.path.exists(sock))
        r = center.cli("status", check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("hirobad is not running", r.stderr)

    def test_http_reload_to_a_taken_port_keeps_the_page(self):
        center = self.fed.add_center(start=False)
        port1 = hb.free_port()
        self.set_http(center, port1)
        center.start()
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen(1)
            self.set_http(center, taken.getsockname()[1])
            center.proc.send_signal(signal.SIGHUP)
            wait_for("the reload to give up", lambda: "keeping the old one"
                     in center.logtext())
            self.assertIsNotNone(wait_for("the old page back", lambda: get(port1)))
        # [http] removed: the page goes off
        with open(center.conf, encoding="utf-8") as f:
            text = f.read().split("\n[http]\n")[0]
        with open(center.conf, "w", encoding="utf-8") as f:
            f.write(text)
        center.proc.send_signal(signal.SIGHUP)
        wait_for("the page to go off", lambda: get(port1) is None)
        wait_for("the log to say so", lambda: "reload: [http] removed" in center.logtext())
        self.assertTrue(center.answers())

    @unittest.skipUnless(os.path.exists("/usr/share/bash-completion/bash_completion"),
                         "bash-completion is not installed (deploy/deps installs it)")
    def test_bash_completion(self):
        center = self.fed.add_center()
        center.publish(event("event/comp-1", "補完の会", T0))
        script = os.path.join(SRC, "deploy", "hiroba.bash-completion")

        def complete(*words):
            prog = ('. /usr/share/bash-completion/bash_completion; . "$1"; shift; '
                    'COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; '
                    'COMP_POINT=${#COMP_LINE}; _hiroba; printf "%s\\n" "${COMPREPLY[@]}"')
            r = subprocess.run(["bash", "-c", prog, "bash", script] + list(words),
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            return set(r.stdout.split())

        self.assertEqual(complete(hb.HIROBA, "ev"), {"event", "events"})
        self.assertIn("register", complete(hb.HIROBA, "event", ""))
        self.assertIn("--title-en", complete(hb.HIROBA, "event", "add", "--title"))
        self.assertEqual(complete(hb.HIROBA, "-d", center.dir, "event", "edit", ""),
                         {"event/comp-1"})
        self.assertIn("%s/event/comp-1" % center.key,
                      complete(hb.HIROBA, "-d", center.dir, "show", ""))
        # no daemon: no references, and no error either
        center.stop()
        self.assertEqual(complete(hb.HIROBA, "-d", center.dir, "event", "edit", ""), set())


if __name__ == "__main__":
    unittest.main(verbosity=2)
