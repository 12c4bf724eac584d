'use strict';
// Caliper's workload API: the request is JSON that the Python connector understands; the
// sender comes from the round's sutContext (the connector's getContext).
const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class Transfer extends WorkloadModuleBase {
    async submitTransaction() {
        const { from, to } = this.sutContext;
        await this.sutAdapter.sendRequests({ op: 'transfer', from, to, value: this.roundArguments.value });
    }
}

module.exports.createWorkloadModule = () => new Transfer();
