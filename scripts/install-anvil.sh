#!/usr/bin/env bash
# Installs anvil (Foundry's local Ethereum node) for the Ethereum connector's tests and example,
# and prints the path of its binary on stdout.
#
# anvil on the PATH is used as it is. Otherwise the pinned npm package, which carries the
# prebuilt binary (no download at install or run time), goes into a cache folder; a second run
# finds it there and installs nothing. Override the folder with CALIPER_ANVIL_DIR.
set -euo pipefail

version="1.7.1"
package="@foundry-rs/anvil-linux-amd64@${version}"
dir="${CALIPER_ANVIL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/caliper-rs/anvil-${version}}"
bin="$dir/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil"

if command -v anvil >/dev/null 2>&1; then
    command -v anvil
    exit 0
fi
if [ ! -x "$bin" ]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "install-anvil: npm is needed to install $package (apt-get install npm)" >&2
        exit 1
    fi
    mkdir -p "$dir"
    # --prefix keeps the install inside the cache folder; npm's own chatter goes to stderr so
    # that stdout is only the path.
    npm install --prefix "$dir" --no-save --no-audit --no-fund --loglevel=error "$package" >&2
fi
if ! "$bin" --version >/dev/null 2>&1; then
    echo "install-anvil: $bin does not run" >&2
    exit 1
fi
echo "$bin"
