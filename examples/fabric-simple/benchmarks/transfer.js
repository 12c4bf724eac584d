// Transfers money between two random accounts that this worker opened in the first round. Two
// transfers that touch one account in the same block conflict: the later one is reported as an
// MVCC read conflict, more often the fewer accounts and the higher the rate.
'use strict';

const OperationBase = require('./utils/operation-base');
const SimpleState = require('./utils/simple-state');

class Transfer extends OperationBase {
    createSimpleState() {
        const accounts = this.roundArguments.numberOfAccounts / this.totalWorkers;
        return new SimpleState(this.workerIndex, this.roundArguments.initialMoney, this.roundArguments.moneyToTransfer, accounts);
    }

    async submitTransaction() {
        await this.sendRequest('transfer', this.state.getTransferArguments());
    }
}

module.exports.createWorkloadModule = () => new Transfer();
