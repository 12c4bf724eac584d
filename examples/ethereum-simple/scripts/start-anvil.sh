#!/usr/bin/env bash
# caliper.command.start: starts anvil on 127.0.0.1:18545 in the background (its PID in
# anvil.pid) and waits, at most 30 s, until it accepts connections.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
anvil="$(bash "$here/../../scripts/install-anvil.sh")"
if [ -f "$here/anvil.pid" ] && kill -0 "$(cat "$here/anvil.pid")" 2>/dev/null; then
    echo "anvil is already running (PID $(cat "$here/anvil.pid"))" >&2
    exit 1
fi
nohup "$anvil" --host 127.0.0.1 --port 18545 --block-time 1 --prune-history -q \
    >"$here/anvil.log" 2>&1 </dev/null &
echo $! >"$here/anvil.pid"
for _ in $(seq 1 300); do
    if (exec 3<>/dev/tcp/127.0.0.1/18545) 2>/dev/null; then
        echo "anvil started (PID $(cat "$here/anvil.pid"))"
        exit 0
    fi
    sleep 0.1
done
echo "anvil did not start; see $here/anvil.log" >&2
kill "$(cat "$here/anvil.pid")" 2>/dev/null || true
exit 1
