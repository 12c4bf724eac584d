'use strict';
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Balance extends WorkloadModuleBase {
    async submitTransaction() {
        const status = await this.sutAdapter.sendRequests({ op: 'balance', account: this.sutContext.to });
        if (status.GetStatus() === 'success' && !/^[0-9]+$/.test(status.GetResult())) {
            throw new Error('unexpected balance ' + JSON.stringify(status.GetResult()));
        }
    }
}

module.exports.createWorkloadModule = () => new Balance();
