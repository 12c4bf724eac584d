// Caliper's "simple" benchmark chaincode: accounts holding an integer balance, opened, queried
// and moved between. Written against fabric-shim's low-level interface (Init/Invoke), which
// is what Caliper's own simple chaincode does too: no contract-API metadata to load, so each
// call costs the peer as little as possible and the benchmark measures the network, not us.
'use strict';

const shim = require('fabric-shim');

/** Parses a non-negative whole amount of money, or says why it cannot. */
function parseMoney(text, what) {
    if (!/^[0-9]+$/.test(text)) {
        throw new Error(`${what} must be a non-negative whole number, got "${text}"`);
    }
    return Number(text);
}

/** The balance stored for `account`, or null when the account was never opened. */
async function balance(stub, account) {
    const bytes = await stub.getState(account);
    if (!bytes || bytes.length === 0) {
        return null;
    }
    return Number(Buffer.from(bytes).toString('utf8'));
}

const FUNCTIONS = {
    /** open(account, money): creates the account with `money`; opening it twice is an error. */
    async open(stub, args) {
        expectArgs('open', args, ['account', 'money']);
        const [account, moneyText] = args;
        const money = parseMoney(moneyText, 'money');
        if ((await balance(stub, account)) !== null) {
            throw new Error(`account ${account} already exists`);
        }
        await stub.putState(account, Buffer.from(String(money)));
        return Buffer.from(String(money));
    },

    /** query(account): the balance as decimal text. */
    async query(stub, args) {
        expectArgs('query', args, ['account']);
        const money = await balance(stub, args[0]);
        if (money === null) {
            throw new Error(`account ${args[0]} does not exist`);
        }
        return Buffer.from(String(money));
    },

    /**
     * transfer(from, to, money): moves `money` from one account to another. It reads both
     * balances first, so two transfers that touch one account in the same block make the second
     * one an MVCC read conflict: the case the connector's tests need.
     */
    async transfer(stub, args) {
        expectArgs('transfer', args, ['from', 'to', 'money']);
        const [from, to, moneyText] = args;
        const money = parseMoney(moneyText, 'money');
        const fromBalance = await balance(stub, from);
        if (fromBalance === null) {
            throw new Error(`account ${from} does not exist`);
        }
        const toBalance = await balance(stub, to);
        if (toBalance === null) {
            throw new Error(`account ${to} does not exist`);
        }
        if (fromBalance < money) {
            throw new Error(`account ${from} holds ${fromBalance}, less than ${money}`);
        }
        if (from !== to) {
            await stub.putState(from, Buffer.from(String(fromBalance - money)));
            await stub.putState(to, Buffer.from(String(toBalance + money)));
        }
        return Buffer.from(String(fromBalance - (from === to ? 0 : money)));
    },

    /**
     * fail(message): always answers a chaincode error with `message` (or a fixed text), for the
     * tests of how a client reports an endorsement that the chaincode refused.
     */
    async fail(stub, args) {
        throw new Error(args[0] || 'this function fails on purpose');
    },
};

/** Throws when `args` does not hold exactly the named arguments. */
function expectArgs(fn, args, names) {
    if (args.length !== names.length) {
        throw new Error(`${fn} takes ${names.length} argument(s) (${names.join(', ')}), got ${args.length}`);
    }
}

class SimpleChaincode {
    /** Nothing to set up: accounts are made by `open`. */
    async Init() {
        return shim.success();
    }

    /** Dispatches to one of FUNCTIONS; an error becomes a chaincode error response (status 500). */
    async Invoke(stub) {
        const { fcn, params } = stub.getFunctionAndParameters();
        const handler = Object.prototype.hasOwnProperty.call(FUNCTIONS, fcn) ? FUNCTIONS[fcn] : null;
        if (!handler) {
            return shim.error(`unknown function "${fcn}"; known: ${Object.keys(FUNCTIONS).join(', ')}`);
        }
        try {
            return shim.success(await handler(stub, params));
        } catch (err) {
            return shim.error(err.message);
        }
    }
}

module.exports = { SimpleChaincode, FUNCTIONS };
