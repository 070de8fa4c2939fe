// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title BaselineToken
/// @notice A plain OpenZeppelin ERC-20, only deployed by the benchmarks: the cost of its `transfer`
/// is the yardstick for the cost of a payment.
contract BaselineToken is ERC20 {
    constructor(address holder, uint256 supply) ERC20("Baseline", "BASE") {
        _mint(holder, supply);
    }
}
