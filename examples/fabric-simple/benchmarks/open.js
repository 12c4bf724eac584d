// Opens one new account of this worker per transaction, with the initial money.
'use strict';

const OperationBase = require('./utils/operation-base');
const SimpleState = require('./utils/simple-state');

class Open extends OperationBase {
    createSimpleState() {
        return new SimpleState(this.workerIndex, this.roundArguments.initialMoney, this.roundArguments.moneyToTransfer);
    }

    async submitTransaction() {
        await this.sendRequest('open', this.state.getOpenAccountArguments());
    }
}

module.exports.createWorkloadModule = () => new Open();
