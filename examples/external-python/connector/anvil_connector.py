#!/usr/bin/env python3
"""A caliper-rs connector written in Python (standard library only) for an Ethereum JSON-RPC
node whose accounts are unlocked, such as anvil: Ether transfers and balance reads.

It speaks the caliper-connector protocol version 1 on stdin/stdout (docs/connectors/external.md)
and logs on stderr. Many requests are in flight at once: a pool of threads sends them, one
thread watches new blocks and settles every pending transfer of a block with one
eth_getBlockReceipts call, and one thread writes the answers, several per `done` frame.

Requests (built by the workload modules in ../benchmarks):
  {"op": "transfer", "from": "0x..", "to": "0x..", "value": 1}   -> success once mined
  {"op": "balance", "account": "0x.."}                            -> result: the balance (wei, decimal string)

Network configuration section:
  anvil: { url: http://127.0.0.1:8545, timeout: 30 }
"""

import http.client
import json
import queue
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

PROTOCOL = "caliper-connector"
VERSION = 1
MAX_IN_FLIGHT = 2000
SENDERS = 16

out_lock = threading.Lock()


def emit(frame):
    """Writes one frame as one line on stdout (the protocol's channel; logs go to stderr)."""
    line = json.dumps(frame, separators=(",", ":")) + "\n"
    with out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


def log(level, message):
    """One log line on stderr; the prefix sets its level in caliper's log."""
    sys.stderr.write(f"{level}: {message}\n")
    sys.stderr.flush()


def now_ms():
    return time.time() * 1000.0


class RpcError(Exception):
    """An error answer of the node, or no answer at all; `cls` is caliper's failure class."""

    def __init__(self, message, cls):
        super().__init__(message)
        self.cls = cls


class Rpc:
    """JSON-RPC over HTTP/1.1 with one kept-alive connection per thread."""

    def __init__(self, url, timeout):
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(f"anvil.url must be an http:// or https:// URL, got {url!r}")
        self.parsed = parsed
        self.timeout = timeout
        self.local = threading.local()
        self.ids = 0

    def _connection(self):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.parsed.scheme == "https" else http.client.HTTPConnection
            conn = cls(self.parsed.hostname, self.parsed.port, timeout=self.timeout)
            self.local.conn = conn
        return conn

    def call(self, method, params):
        self.ids += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.ids, "method": method, "params": params})
        for attempt in (0, 1):
            conn = self._connection()
            try:
                conn.request("POST", self.parsed.path or "/", body, {"Content-Type": "application/json"})
                answer = json.loads(conn.getresponse().read())
                break
            except (OSError, http.client.HTTPException, ValueError) as e:
                conn.close()
                self.local.conn = None
                if attempt == 1:
                    raise RpcError(f"{method}: {e}", "connection") from e
        if "error" in answer:
            message = answer["error"].get("message", str(answer["error"]))
            raise RpcError(f"{method}: {message}", "nonce" if "nonce" in message.lower() else "rejected")
        return answer.get("result")


class Connector:
    def __init__(self):
        self.rpc = None
        self.timeout = 30.0
        self.chain_id = None
        self.accounts = []
        self.pool = ThreadPoolExecutor(max_workers=SENDERS)
        self.answers = queue.Queue()
        # rid -> [statuses, remaining]; hash -> (rid, index, time_create)
        self.slots = {}
        self.pending = {}
        self.lock = threading.Lock()
        threading.Thread(target=self.write_answers, daemon=True).start()

    # --- control calls -------------------------------------------------------------------
    def create(self, frame):
        section = frame["networkConfig"].get("anvil") or {}
        url = section.get("url")
        if not url:
            raise RpcError("the network configuration has no anvil.url", "other")
        self.timeout = float(section.get("timeout", 30))
        self.rpc = Rpc(url, self.timeout)
        self.chain_id = int(self.rpc.call("eth_chainId", []), 16)
        log("info", f"worker {frame['workerIndex']}: chain {self.chain_id} at {url}")
        threading.Thread(target=self.watch_blocks, daemon=True).start()
        return "ethereum"

    def init(self, worker_init):
        self.accounts = self.rpc.call("eth_accounts", [])
        log("debug", f"init({worker_init}): {len(self.accounts)} unlocked accounts")

    def installSmartContract(self):
        log("info", "nothing to install: Ether transfers need no contract")

    def prepareWorkerArguments(self, workers):
        accounts = self.accounts or self.rpc.call("eth_accounts", [])
        if len(accounts) < 2:
            raise RpcError("the node has fewer than 2 unlocked accounts", "other")
        n = len(accounts)
        return [{"from": accounts[(1 + w) % n], "to": accounts[0]} for w in range(workers)]

    def getContext(self, round_index, args):
        return {"from": args.get("from"), "to": args.get("to"), "round": round_index, "chainId": self.chain_id}

    def releaseContext(self):
        return None

    # --- the hot path ----------------------------------------------------------------------
    def send(self, reqs):
        for rid, request in reqs:
            batch = request if isinstance(request, list) else [request]
            with self.lock:
                self.slots[rid] = [[None] * len(batch), len(batch)]
            if not batch:
                self.finish(rid, 0, None)
            for i, one in enumerate(batch):
                self.pool.submit(self.send_one, rid, i, one)

    def send_one(self, rid, index, request):
        created = now_ms()
        try:
            op = request.get("op") if isinstance(request, dict) else None
            if op == "transfer":
                tx = {"from": request["from"], "to": request["to"], "value": hex(int(request.get("value", 1)))}
                tx_hash = self.rpc.call("eth_sendTransaction", [tx])
                with self.lock:
                    self.pending[tx_hash] = (rid, index, created)
                return
            if op == "balance":
                balance = int(self.rpc.call("eth_getBalance", [request["account"], "latest"]), 16)
                self.finish(rid, index, status("", "success", created, result=str(balance)))
                return
            raise RpcError(f"unknown op {op!r}: expected transfer or balance", "invalid")
        except RpcError as e:
            self.finish(rid, index, status("", "failed", created, error=str(e), cls=e.cls))
        except (KeyError, TypeError, ValueError) as e:
            self.finish(rid, index, status("", "failed", created, error=f"malformed request: {e}", cls="invalid"))

    def watch_blocks(self):
        """Settles pending transfers block by block; gives up on those older than the timeout."""
        last = int(self.rpc.call("eth_blockNumber", []), 16)
        while True:
            time.sleep(0.05)
            try:
                head = int(self.rpc.call("eth_blockNumber", []), 16)
                for number in range(last + 1, head + 1):
                    for receipt in self.rpc.call("eth_getBlockReceipts", [hex(number)]) or []:
                        with self.lock:
                            found = self.pending.pop(receipt["transactionHash"], None)
                        if found:
                            rid, index, created = found
                            ok = receipt.get("status") == "0x1"
                            self.finish(rid, index, status(receipt["transactionHash"], "success" if ok else "failed",
                                                           created, error=None if ok else "reverted",
                                                           cls=None if ok else "reverted"))
                last = head
            except RpcError as e:
                log("warn", f"watching blocks: {e}")
            deadline = now_ms() - self.timeout * 1000
            with self.lock:
                late = [(h, v) for h, v in self.pending.items() if v[2] < deadline]
                for h, _ in late:
                    del self.pending[h]
            for h, (rid, index, created) in late:
                self.finish(rid, index, status(h, "failed", created, error="not mined in time", cls="timeout"))

    def finish(self, rid, index, tx_status):
        with self.lock:
            slot = self.slots.get(rid)
            if slot is None:
                return
            if tx_status is not None:
                slot[0][index] = tx_status
                slot[1] -= 1
            if slot[1] > 0:
                return
            del self.slots[rid]
        self.answers.put([rid, slot[0]])

    def write_answers(self):
        """One `done` frame per wake-up, with every answer ready then (at most 1000)."""
        while True:
            res = [self.answers.get()]
            while len(res) < 1000:
                try:
                    res.append(self.answers.get_nowait())
                except queue.Empty:
                    break
            emit({"t": "done", "res": res})


def status(tx_id, state, created, result=None, error=None, cls=None):
    s = {"id": tx_id, "status": state, "timeCreate": created, "timeFinal": now_ms(), "verified": state == "success"}
    if result is not None:
        s["result"] = result
    if error is not None:
        s["error"] = error
        s["errorClass"] = cls or "other"
    return s


def main():
    emit({"t": "hello", "protocol": PROTOCOL, "version": VERSION, "features": [],
          "impl": "anvil-connector.py 0.1", "maxInFlight": MAX_IN_FLIGHT})
    connector = Connector()
    calls = {"init": connector.init, "installSmartContract": connector.installSmartContract,
             "prepareWorkerArguments": connector.prepareWorkerArguments,
             "getContext": connector.getContext, "releaseContext": connector.releaseContext}
    for line in sys.stdin:
        frame = json.loads(line)
        kind = frame["t"]
        if kind == "send":
            connector.send(frame["reqs"])
        elif kind == "call":
            try:
                emit({"t": "return", "id": frame["id"], "value": calls[frame["method"]](*frame["args"])})
            except Exception as e:  # every failure of a call goes back to caliper as its error
                emit({"t": "error", "id": frame["id"], "message": str(e),
                      "class": getattr(e, "cls", "other")})
        elif kind == "create":
            try:
                emit({"t": "created", "type": connector.create(frame)})
            except Exception as e:
                emit({"t": "error", "id": None, "message": str(e), "class": getattr(e, "cls", "connection")})
        elif kind == "hello":
            log("debug", f"the host confirmed features {frame.get('features')}")
        elif kind == "exit":
            break
    log("debug", "exiting")


if __name__ == "__main__":
    main()
