// The base of the three workloads, as in caliper-benchmarks: checks the round arguments, keeps
// the state of this worker's accounts (built by each workload) and turns an operation into an
// Ethereum request.
'use strict';

const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class OperationBase extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        if (sutAdapter.getType() !== 'ethereum') {
            throw new Error(`this workload runs on the ethereum connector, not on ${sutAdapter.getType()}`);
        }
        for (const key of ['initialMoney', 'moneyToTransfer', 'numberOfAccounts']) {
            if (roundArguments[key] === undefined) {
                throw new Error(`simple workload error: the round argument "${key}" is missing`);
            }
        }
        this.state = this.createSimpleState();
    }

    /** The state this operation starts from (overridden by each workload). */
    createSimpleState() {
        throw new Error('createSimpleState is not implemented');
    }

    /** Sends `operation` with the values of `args`, in order, as the method's arguments. */
    async sendRequest(operation, args) {
        const request = {
            contract: 'simple',
            verb: operation,
            args: Object.values(args),
            readOnly: operation === 'query',
        };
        await this.sutAdapter.sendRequests(request);
    }
}

module.exports = OperationBase;
