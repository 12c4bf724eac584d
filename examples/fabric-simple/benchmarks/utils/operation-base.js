// The base of the three workloads, in the style of caliper-benchmarks' Fabric "simple"
// workloads: checks the round arguments, keeps the state of this worker's accounts (built by
// each workload) and turns an operation into a Fabric request of the caliper-fabric connector.
'use strict';

const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class OperationBase extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
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

    /**
     * Sends `operation` to the contract with the values of `args`, in order, as its arguments
     * (the chaincode takes strings); `query` is evaluated, the others are submitted.
     */
    async sendRequest(operation, args) {
        const request = {
            contractId: this.roundArguments.contractId || 'simple',
            contractFunction: operation,
            contractArguments: Object.values(args).map(String),
            invokerIdentity: this.roundArguments.invokerIdentity || 'User1',
            readOnly: operation === 'query',
        };
        await this.sutAdapter.sendRequests(request);
    }
}

module.exports = OperationBase;
