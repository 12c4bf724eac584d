#!/usr/bin/env bash
# Compiles ledger.sol into ledger.json ({name, abi, bytecode, gas}: the artifact format of
# Caliper 0.6's Ethereum connector) with the pinned solc from npm (solc-js: the compiler is
# inside the package, nothing else is downloaded). Run it after changing ledger.sol and commit
# both files:
#
#   bash crates/ethereum/contracts/compile.sh
#
# The EVM version is pinned to cancun so that the bytecode also runs on nodes that do not know
# newer forks (geth, Besu and reth releases of 2024 on).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
solc_version="0.8.30"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/caliper-rs/solc-${solc_version}"
if [ ! -f "$tools/node_modules/solc/solc.js" ]; then
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "solc@${solc_version}" >&2
fi
# solcjs's command line has no --evm-version: compile through its standard-JSON API instead.
NODE_PATH="$tools/node_modules" node - "$here/ledger.sol" "$here/ledger.json" <<'JS'
const fs = require('fs');
const solc = require('solc');
const [source, target] = process.argv.slice(2);
const input = {
  language: 'Solidity',
  sources: { 'ledger.sol': { content: fs.readFileSync(source, 'utf8') } },
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { Ledger: ['abi', 'evm.bytecode.object'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length) {
  for (const e of errors) console.error(e.formattedMessage);
  process.exit(1);
}
const ledger = output.contracts['ledger.sol'].Ledger;
const artifact = {
  name: 'ledger',
  compiler: `solc ${solc.version()}`,
  abi: ledger.abi,
  bytecode: '0x' + ledger.evm.bytecode.object,
  gas: 2000000,
};
fs.writeFileSync(target, JSON.stringify(artifact, null, 2) + '\n');
JS
echo "wrote $here/ledger.json" >&2
