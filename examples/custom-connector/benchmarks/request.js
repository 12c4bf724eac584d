// A Caliper workload module for the http connector: each transaction is one request,
// { method, path, body }, taken from the round's arguments. A body object gets the worker
// index and a sequence number, so every request carries distinct data.
'use strict';

const { WorkloadModuleBase } = require('@hyperledger/caliper-core');

class RequestWorkload extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.sent = 0;
    }

    async submitTransaction() {
        const { method = 'GET', path = '/', body } = this.roundArguments;
        const request = { method, path };
        if (body !== undefined) {
            request.body = typeof body === 'object' ? { ...body, worker: this.workerIndex, n: this.sent } : body;
        }
        this.sent += 1;
        await this.sutAdapter.sendRequests(request);
    }
}

module.exports.createWorkloadModule = () => new RequestWorkload();
