#!/usr/bin/env bash
# caliper.command.end: stops the anvil that start-anvil.sh started, by its PID.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
if [ -f "$here/anvil.pid" ]; then
    kill "$(cat "$here/anvil.pid")" 2>/dev/null || true
    rm -f "$here/anvil.pid"
    echo "anvil stopped"
fi
