#!/usr/bin/env python3
"""A caliper connector (protocol version 1) that answers every request at once, and misbehaves
on purpose in round 0 of its life, for the host's failure tests:

  misbehave.py ok                  behave
  misbehave.py crash N             after N requests of round 0: a last word on stderr, exit 3
  misbehave.py hang N              after N requests of round 0: answer nothing more
  misbehave.py garbage N           after N requests of round 0: a line that is no JSON on stdout
  misbehave.py version             say hello in protocol version 2
"""
import json
import sys
import time

mode = sys.argv[1]
after = int(sys.argv[2]) if len(sys.argv) > 2 else 0


def emit(frame):
    sys.stdout.write(json.dumps(frame) + "\n")
    sys.stdout.flush()


emit({"t": "hello", "protocol": "caliper-connector", "version": 2 if mode == "version" else 1,
      "impl": f"misbehave.py {mode}", "maxInFlight": 1000})
round_index = None
answered = 0
hung = False
for line in sys.stdin:
    frame = json.loads(line)
    t = frame["t"]
    if t == "exit":
        break
    if hung:
        continue
    if t == "create":
        emit({"t": "created", "type": "misbehave"})
    elif t == "call":
        value = None
        if frame["method"] == "prepareWorkerArguments":
            value = [{} for _ in range(frame["args"][0])]
        elif frame["method"] == "getContext":
            round_index = frame["args"][0]
        emit({"t": "return", "id": frame["id"], "value": value})
    elif t == "send":
        now = time.time() * 1000
        emit({"t": "done", "res": [[rid, [{"id": str(rid), "status": "success", "timeCreate": now, "timeFinal": now}]]
                                   for rid, _ in frame["reqs"]]})
        answered += len(frame["reqs"])
        if round_index == 0 and answered >= after:
            if mode == "crash":
                sys.stderr.write("error: simulated crash: out of cheese\n")
                sys.exit(3)
            if mode == "hang":
                sys.stderr.write("warn: no longer answering\n")
                hung = True
            if mode == "garbage":
                print("Traceback (most recent call last): this is not a protocol message")
                sys.stdout.flush()
                round_index = None
