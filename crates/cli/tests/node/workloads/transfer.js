'use strict';
// Transfers from this worker's account (the live sutContext of the connector's getContext).
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Transfer extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        if (typeof sutContext.balanceOf !== 'function') {
            throw new Error('the sutContext lost its functions: it was not the live object');
        }
        this.before = BigInt(await sutContext.balanceOf(sutContext.from));
    }

    async submitTransaction() {
        return this.sutAdapter.sendRequests({
            verb: 'transfer',
            from: this.sutContext.from,
            nonce: this.sutContext.nextNonce(),
            to: this.sutContext.sink,
            value: this.roundArguments.value,
        });
    }
}

module.exports.createWorkloadModule = () => new Transfer();
