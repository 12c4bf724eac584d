#!/usr/bin/env bash
# The test command: installs what the tests start for real when it is missing (Debian's
# mosquitto and openssl for the MQTT tests, the pinned anvil from npm for the Ethereum tests),
# then runs every test of the workspace and closes on the totals.
set -euo pipefail
cd "$(dirname "$0")/.."
if { ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; } || ! command -v openssl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto openssl >/dev/null
fi
CALIPER_ANVIL_BIN=$(bash scripts/install-anvil.sh)
export CALIPER_ANVIL_BIN
log=$(mktemp)
cargo test --workspace --locked 2>&1 | tee "$log"
# cargo prints one summary per test binary, the last often a doc-test run with no test: close on
# the totals of all of them.
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
