'use strict';
// Balance reads of this worker's account; checks what comes back.
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Balance extends WorkloadModuleBase {
    async submitTransaction() {
        const status = await this.sutAdapter.sendRequests({ verb: 'balance', address: this.sutContext.from });
        if (!/^0x[0-9a-f]+$/.test(status.GetResult())) {
            throw new Error(`a balance reads as a hex quantity, not ${status.GetResult()}`);
        }
        return status;
    }
}

module.exports.createWorkloadModule = () => new Balance();
