#!/usr/bin/env bash
# The test command: installs what the tests start for real when it is missing (Debian's
# mosquitto and openssl for the MQTT tests, prometheus and prometheus-pushgateway for the
# monitors' and observers' tests, Chromium's headless shell and a font for the HTML report's
# test, docker.io and busybox-static for the docker monitor's test, the pinned anvil from npm for
# the Ethereum tests, python3-venv for caliper bind's pip test, PyPI hyperledger-fabric-protos
# for the Fabric protocol test, Caliper's caliper-core 0.6.0 from npm for the Node.js sidecar's
# tests), then runs every test of the workspace and closes on the totals.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
have mosquitto || missing+=(mosquitto)
have openssl || missing+=(openssl)
have prometheus || [ -n "${CALIPER_PROMETHEUS_BIN:-}" ] || missing+=(prometheus)
have prometheus-pushgateway || [ -n "${CALIPER_PUSHGATEWAY_BIN:-}" ] || missing+=(prometheus-pushgateway)
have chromium-headless-shell || have chromium || [ -n "${CALIPER_CHROMIUM_BIN:-}" ] || missing+=(chromium-headless-shell)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# caliper bind's pip test creates a virtual environment (Debian ships venv's ensurepip apart).
python3 -c 'import ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The docker monitor's test starts its own engine from Debian's docker.io (as root) with an image
# made from busybox-static; where they cannot be installed, that test says why it skips.
if [ "$(id -u)" = 0 ] && { ! have dockerd || ! have busybox; }; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        docker.io busybox-static >/dev/null; } || echo "docker.io could not be installed: the docker monitor's real-engine test will skip"
fi
# The Fabric tests run only where CALIPER_FABRIC_BIN names Fabric's binaries
# (docs/connectors/fabric-testing.md); their chaincode's npm packages are installed then.
if [ -n "${CALIPER_FABRIC_BIN:-}" ]; then
    (cd examples/fabric-simple/chaincode && npm ci --no-audit --no-fund --loglevel=error)
fi
CALIPER_ANVIL_BIN=$(bash scripts/install-anvil.sh)
# The Fabric connector's protocol test decodes the bytes it sends with the official descriptors of
# PyPI hyperledger-fabric-protos (a dev release, so pinned), in a virtual environment of its own
# (or the user's site-packages where venv is missing).
fabric_protos='hyperledger-fabric-protos==0.3.7.dev349689853811'
fabric_venv="${CARGO_TARGET_DIR:-target}/fabric-protos-venv"
if "$fabric_venv/bin/python" -c 'import fabric_protos' 2>/dev/null; then
    CALIPER_FABRIC_PYTHON="$(cd "$fabric_venv" && pwd)/bin/python"
elif python3 -m venv "$fabric_venv" 2>/dev/null \
    && "$fabric_venv/bin/pip" install -q --disable-pip-version-check "$fabric_protos"; then
    CALIPER_FABRIC_PYTHON="$(cd "$fabric_venv" && pwd)/bin/python"
else
    python3 -m pip install -q --user --disable-pip-version-check "$fabric_protos" \
        || python3 -m pip install -q --user --disable-pip-version-check --break-system-packages "$fabric_protos"
    CALIPER_FABRIC_PYTHON=$(command -v python3)
fi
export CALIPER_FABRIC_PYTHON
export CALIPER_ANVIL_BIN
# Caliper's caliper-core 0.6.0 from npm, once per target folder, for the Node.js sidecar's tests.
CALIPER_NODE_CORE=$(bash scripts/install-caliper-core.sh)
export CALIPER_NODE_CORE
log=$(mktemp)
cargo test --workspace --locked 2>&1 | tee "$log"
# cargo prints one summary per test binary, the last often a doc-test run with no test: close on
# the totals of all of them.
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
