// Queries (evaluates, no ordering) a random account that this worker opened in the first round.
'use strict';

const OperationBase = require('./utils/operation-base');
const SimpleState = require('./utils/simple-state');

class Query extends OperationBase {
    createSimpleState() {
        const accounts = this.roundArguments.numberOfAccounts / this.totalWorkers;
        return new SimpleState(this.workerIndex, this.roundArguments.initialMoney, this.roundArguments.moneyToTransfer, accounts);
    }

    async submitTransaction() {
        await this.sendRequest('query', this.state.getQueryArguments());
    }
}

module.exports.createWorkloadModule = () => new Query();
