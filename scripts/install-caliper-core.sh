#!/usr/bin/env bash
# Installs Hyperledger Caliper's @hyperledger/caliper-core 0.6.0 from npm for the tests of the
# Node.js sidecar (a connector written against Caliper's own API loads it), once per target
# folder, and prints the folder whose node_modules holds it on stdout. A second run finds it
# there and installs nothing. Override the folder with CALIPER_NODE_CORE_DIR.
set -euo pipefail

version="0.6.0"
package="@hyperledger/caliper-core@${version}"
target="${CARGO_TARGET_DIR:-$(dirname "$0")/../target}"
dir="${CALIPER_NODE_CORE_DIR:-$target/caliper-node/caliper-core-${version}}"
manifest="$dir/node_modules/@hyperledger/caliper-core/package.json"

if [ ! -f "$manifest" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "install-caliper-core: npm is needed to install $package (apt-get install npm)" >&2
        exit 1
    fi
    mkdir -p "$dir"
    # Production dependencies only (about 40 MB); npm's chatter goes to stderr so that stdout is
    # only the folder.
    npm install --prefix "$dir" --no-save --omit=dev --no-audit --no-fund --loglevel=error "$package" >&2
fi
if ! grep -q "\"version\": \"${version}\"" "$manifest"; then
    echo "install-caliper-core: $manifest is not version ${version}" >&2
    exit 1
fi
cd "$dir" && pwd
