'use strict';
// A Caliper 0.6 connector written as Caliper's connector guide describes, against Caliper's own
// API (ConnectorBase, TxStatus, ConfigUtil, CaliperUtils), for caliper-rs's tests: Ether
// transfers (eth_sendTransaction from anvil's unlocked accounts, then the receipt) and balance
// reads (eth_getBalance) over JSON-RPC with Node's built-in fetch.

const { ConnectorBase, TxStatus, ConfigUtil, CaliperUtils } = require('@hyperledger/caliper-core');

const logger = CaliperUtils.getLogger('anvil-test-connector');

class AnvilTestConnector extends ConnectorBase {
    constructor(workerIndex) {
        super(workerIndex, 'anvil-test');
        // The network configuration as Caliper's connectors find it: by the setting.
        const networkPath = CaliperUtils.resolvePath(ConfigUtil.get(ConfigUtil.keys.NetworkConfig));
        this.network = CaliperUtils.parseYaml(networkPath);
        this.url = this.network.anvil.url;
        // A setting of this connector's own, from caliper.yaml, the environment or a flag.
        this.pollMs = Number(ConfigUtil.get('caliper-anviltest-pollms', 100));
        this.requestId = 0;
        this.context = undefined;
        logger.info(`worker ${workerIndex}: anvil at ${this.url}, receipts polled every ${this.pollMs} ms`);
    }

    async rpc(method, params) {
        const response = await fetch(this.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: ++this.requestId, method, params }),
        });
        const body = await response.json();
        if (body.error) {
            const error = new Error(`${method}: ${body.error.message}`);
            error.rpcCode = body.error.code;
            throw error;
        }
        return body.result;
    }

    async init(workerInit) {
        const chainId = await this.rpc('eth_chainId', []);
        logger.info(`init(${workerInit}): chain ${parseInt(chainId, 16)}`);
    }

    async installSmartContract() {
        // Plain transfers need no contract.
    }

    // One of anvil's unlocked accounts per worker (the first stays the deployer's).
    async prepareWorkerArguments(number) {
        const accounts = await this.rpc('eth_accounts', []);
        const result = [];
        for (let i = 0; i < number; i++) {
            result.push({ account: accounts[i + 1], sink: accounts[accounts.length - 1] });
        }
        return result;
    }

    async getContext(roundIndex, args) {
        const connector = this;
        let nonce = parseInt(await this.rpc('eth_getTransactionCount', [args.account, 'pending']), 16);
        // A live context: the workload calls its functions, so it must run beside it.
        this.context = {
            from: args.account,
            sink: args.sink,
            roundIndex,
            nextNonce() {
                return nonce++;
            },
            balanceOf(address) {
                return connector.rpc('eth_getBalance', [address, 'latest']);
            },
        };
        return this.context;
    }

    async releaseContext() {
        this.context = undefined;
    }

    async _sendSingleRequest(request) {
        const status = new TxStatus();
        try {
            if (request.verb === 'transfer') {
                const tx = { from: request.from, to: request.to, value: '0x' + BigInt(request.value).toString(16), nonce: '0x' + request.nonce.toString(16) };
                const hash = await this.rpc('eth_sendTransaction', [tx]);
                status.SetID(hash);
                for (;;) {
                    const receipt = await this.rpc('eth_getTransactionReceipt', [hash]);
                    if (receipt) {
                        if (receipt.status === '0x1') {
                            status.SetStatusSuccess();
                        } else {
                            status.SetStatusFail();
                            status.SetErrMsg(0, 'reverted');
                            status.Set('errorClass', 'reverted');
                        }
                        break;
                    }
                    await CaliperUtils.sleep(this.pollMs);
                }
            } else if (request.verb === 'balance') {
                status.SetResult(await this.rpc('eth_getBalance', [request.address, 'latest']));
                status.SetStatusSuccess();
            } else {
                throw new Error(`unknown verb ${request.verb}`);
            }
            status.SetVerification(true);
        } catch (error) {
            status.SetStatusFail();
            status.SetErrMsg(0, error.message);
            // anvil refuses a transfer the sender cannot pay for before it is mined; fetch
            // fails with a cause when the node cannot be reached.
            status.Set('errorClass', error.rpcCode !== undefined ? 'rejected' : error.cause ? 'connection' : 'invalid');
        }
        return status;
    }
}

module.exports.ConnectorFactory = async function ConnectorFactory(workerIndex) {
    const connector = new AnvilTestConnector(workerIndex);
    if (workerIndex >= 0) {
        await connector.init(true);
    }
    return connector;
};
