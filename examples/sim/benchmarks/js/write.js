// A JavaScript workload module in Caliper's style: writes a value from a JSON data file under
// keys distinct per worker (w<worker>-js<i>), kept by a small state module.
'use strict';

const { WorkloadModuleBase, CaliperUtils } = require('@hyperledger/caliper-core');
const KeyState = require('./utils/key-state');
const values = require('./data/values.json');

const logger = CaliperUtils.getLogger('js-write');

class WriteWorkload extends WorkloadModuleBase {
    async initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext) {
        await super.initializeWorkloadModule(workerIndex, totalWorkers, roundIndex, roundArguments, sutAdapter, sutContext);
        this.state = new KeyState(workerIndex, roundArguments.keys || 100);
        logger.info(`worker ${workerIndex} of ${totalWorkers} writes ${this.state.size} keys on ${sutAdapter.getType()}`);
    }

    async submitTransaction() {
        const request = { op: 'write', key: this.state.nextKey(), value: values[this.state.count % values.length] };
        await this.sutAdapter.sendRequests(request);
    }
}

module.exports.createWorkloadModule = () => new WriteWorkload();
