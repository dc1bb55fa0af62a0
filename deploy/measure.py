"""Measure one real `mentorbot serve` process: memory (VmRSS, VmHWM) and CPU, phase by phase.

The figures behind the resource requests and limits in `deploy/kubernetes/deployment.yaml`.
Run from a checkout, against a database that already holds the demo with its history:

    export DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3Dm'
    psql -h 127.0.0.1 -U postgres -d test -c 'create schema m'
    .venv/bin/mentorbot demo --history
    .venv/bin/python deploy/measure.py --port 18080

It starts `mentorbot serve` (web chat on, the demo's CEO as admin), then reads
/proc/<pid>/status and /proc/<pid>/stat after each phase: start-up, idle ticks, health probes,
web chat conversations, and the two heaviest things a chat command does in the serving process
(an admin's report digest, rendered with matplotlib, and a matching run with OR-Tools).
Only 127.0.0.1 is contacted; every loop is bounded.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
ADMIN = "umar.yilmaz@example.com"  # the demo's CEO (the web chat's user id is the email)
PROGRAM = "Leadership 1:1"


@dataclass(frozen=True)
class Sample:
    """What the kernel says about the process at one moment."""

    at: float  # monotonic seconds
    rss_mib: float
    hwm_mib: float
    cpu_s: float  # user + system


def sample(pid: int) -> Sample:
    """Read VmRSS, VmHWM and the CPU time of ``pid`` from /proc."""
    status = Path(f"/proc/{pid}/status").read_text()
    kib = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines()
           if line.startswith(("VmRSS", "VmHWM"))}
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return Sample(time.monotonic(), kib["VmRSS"] / 1024, kib["VmHWM"] / 1024,
                  (utime + stime) / TICKS_PER_SECOND)


def report(phase: str, before: Sample, after: Sample, requests: int = 0) -> None:
    """Print one phase: memory now, peak so far, CPU used and its average over the phase."""
    cpu = after.cpu_s - before.cpu_s
    wall = after.at - before.at
    per = f"  {1000 * cpu / requests:6.2f} ms CPU/request" if requests else ""
    print(f"{phase:<34} RSS {after.rss_mib:6.1f} MiB  HWM {after.hwm_mib:6.1f} MiB  "
          f"CPU {cpu:6.2f} s over {wall:5.1f} s = {1000 * cpu / max(wall, 1e-9):5.0f} m{per}",
          flush=True)


def wait_ready(base: str, proc: subprocess.Popen[bytes], limit_s: float = 60) -> None:
    """Poll /readyz until it answers 200 (bounded)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"mentorbot serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit("mentorbot serve was not ready in time")


def chat(base: str, people: int) -> int:
    """Hold a short conversation as each of ``people`` demo people; return the request count."""
    sent = 0
    with httpx.Client(base_url=base, timeout=60) as http:
        directory = http.get("/webchat/api/people").json()
        sent += 1
        for person in directory[:people]:
            user = person["user"]
            http.post("/webchat/api/me", json={"user": user}).raise_for_status()
            for text in ("/mentor help", "/mentor status", "/mentor join", "/mentor suggest"):
                http.post("/webchat/api/command", json={"user": user, "text": text})
            http.get("/webchat/api/inbox", params={"user": user})
            sent += 6
    return sent


def admin(base: str, text: str) -> None:
    """Send one admin command as the demo's CEO and collect what it delivered."""
    with httpx.Client(base_url=base, timeout=300) as http:
        http.post("/webchat/api/me", json={"user": ADMIN}).raise_for_status()
        answer = http.post("/webchat/api/command", json={"user": ADMIN, "text": text})
        answer.raise_for_status()
        inbox = http.get("/webchat/api/inbox", params={"user": ADMIN})
        inbox.raise_for_status()
        said = re.sub(r"<[^>]+>|\s+", " ", " ".join(answer.json()["items"]
                                                   + inbox.json()["items"]))
        print(f"  {text}: {said.strip()[:160]}", flush=True)


def main() -> None:
    """Start the server, run every phase, print the figures, stop the server."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--idle-seconds", type=float, default=60)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a database holding `mentorbot demo --history`.")
    env = {**os.environ, "ADMIN_EMAILS": ADMIN, "WEBCHAT_ENABLED": "true",
           "LOG_LEVEL": "WARNING"}
    base = f"http://127.0.0.1:{args.port}"
    mentorbot = Path(sys.executable).with_name("mentorbot")
    proc = subprocess.Popen([str(mentorbot), "serve", "--port", str(args.port)], env=env)
    try:
        wait_ready(base, proc)
        started = sample(proc.pid)
        print(f"{'started (migrated, ready)':<34} RSS {started.rss_mib:6.1f} MiB  "
              f"HWM {started.hwm_mib:6.1f} MiB  CPU {started.cpu_s:6.2f} s", flush=True)
        time.sleep(args.idle_seconds)
        idle = sample(proc.pid)
        report(f"idle {args.idle_seconds:.0f} s (scheduler ticks)", started, idle)
        with httpx.Client(base_url=base, timeout=10) as http:
            for i in range(args.probes):
                http.get("/healthz" if i % 2 else "/readyz").raise_for_status()
        probed = sample(proc.pid)
        report(f"{args.probes} probes (/healthz, /readyz)", idle, probed, args.probes)
        requests = chat(base, args.people)
        chatted = sample(proc.pid)
        report(f"web chat: {args.people} people, 6 requests", probed, chatted, requests)
        admin(base, f"/mentor admin report {PROGRAM}")
        digested = sample(proc.pid)
        report("admin report digest (matplotlib)", chatted, digested, 1)
        admin(base, f"/mentor admin match {PROGRAM}")
        matched = sample(proc.pid)
        report("admin match preview (OR-Tools)", digested, matched, 1)
        time.sleep(args.idle_seconds)
        settled = sample(proc.pid)
        report(f"idle {args.idle_seconds:.0f} s again", matched, settled)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
