// The accounts of one worker, named much as caliper-benchmarks' simple-state.js names them: a
// prefix from the worker index and a counter, both written in base 26 with the letters a..z.
'use strict';

const DICTIONARY = 'abcdefghijklmnopqrstuvwxyz';

/** `n` in base 26, least significant digit first (as Caliper's simple benchmark writes it). */
function base26(n) {
    let text = '';
    do {
        text += DICTIONARY[n % 26];
        n = Math.floor(n / 26);
    } while (n > 0);
    return text;
}

class SimpleState {
    constructor(workerIndex, initialMoney, moneyToTransfer, accounts = 0) {
        this.initialMoney = initialMoney;
        this.moneyToTransfer = moneyToTransfer;
        this.accountsGenerated = accounts;
        // Caliper's simple-state.js gives worker 0 no prefix and joins prefix and counter
        // directly, so worker 0's 27th account "bb" is worker 1's first ("b" + "b"). Every
        // worker's prefix here ends with "_", which keeps the workers' accounts apart.
        this.prefix = base26(workerIndex) + '_';
    }

    /** The arguments of `open` for the next new account. */
    getOpenAccountArguments() {
        this.accountsGenerated++;
        return { account: this.name(this.accountsGenerated), money: this.initialMoney };
    }

    /** The arguments of `query` for a random account of this worker. */
    getQueryArguments() {
        return { account: this.randomAccount() };
    }

    /** The arguments of `transfer` between two random accounts of this worker. */
    getTransferArguments() {
        return { source: this.randomAccount(), target: this.randomAccount(), amount: this.moneyToTransfer };
    }

    name(index) {
        return this.prefix + base26(index);
    }

    randomAccount() {
        return this.name(Math.max(1, Math.ceil(Math.random() * this.accountsGenerated)));
    }
}

module.exports = SimpleState;
