// SPDX-License-Identifier: Apache-2.0
// The ledger of the "simple" benchmark (Caliper's simple.sol, with checks on transfers so that a
// bad transfer reverts instead of driving a balance below zero). Compiled by compile.sh into
// ledger.json, the artifact the connector deploys.
pragma solidity ^0.8.20;

contract Ledger {
    mapping(string => int256) private balances;
    mapping(string => bool) private opened;

    /// Opens `account` with `amount` (an account opened twice takes the new amount).
    function open(string calldata account, int256 amount) external {
        balances[account] = amount;
        opened[account] = true;
    }

    /// Adds the wei sent with the call to `account`'s balance and marks it opened (the one
    /// payable function, for requests with a `value`).
    function deposit(string calldata account) external payable {
        balances[account] += int256(msg.value);
        opened[account] = true;
    }

    /// The balance of `account` (0 when it was never opened).
    function query(string calldata account) external view returns (int256) {
        return balances[account];
    }

    /// Moves `amount` from one opened account to another; reverts when either is unknown or
    /// the source holds less than `amount`.
    function transfer(string calldata from, string calldata to, int256 amount) external {
        require(opened[from], "unknown source account");
        require(opened[to], "unknown target account");
        require(amount >= 0 && balances[from] >= amount, "insufficient funds");
        balances[from] -= amount;
        balances[to] += amount;
    }
}
