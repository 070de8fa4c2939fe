// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {Fund} from "./Fund.sol";

/// @title FundFactory
/// @notice Deploys one {Fund} per scheme and period as a cheap minimal-proxy clone of one implementation,
/// and keeps the list, so anyone can find every fund and check its figures on the chain.
contract FundFactory is AccessControl {
    bytes32 public constant FUND_CREATOR_ROLE = keccak256("FUND_CREATOR_ROLE");

    /// @notice The {Fund} every clone delegates to.
    address public immutable implementation;

    address[] private _funds;
    mapping(address fund => uint256 indexPlusOne) private _indexOf;

    /// @notice A fund was created. `index` is its short number in this factory (used in payment QRs).
    event FundCreated(
        address indexed fund, address indexed admin, uint256 indexed index, string name, bytes3 currency, uint64 defaultBudgetExpiry
    );

    /// @notice No fund has this index or address.
    error FactoryUnknownFund(uint256 index);

    /// @param admin receives DEFAULT_ADMIN_ROLE and FUND_CREATOR_ROLE of the factory.
    constructor(address admin) {
        implementation = address(new Fund());
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(FUND_CREATOR_ROLE, admin);
    }

    /// @notice Creates a fund for one scheme and period, administered by `admin`.
    /// @dev Requires FUND_CREATOR_ROLE. Emits {FundCreated} (and the fund's own role events).
    /// @return fund the new fund's address.
    function createFund(address admin, string calldata name, bytes3 currency, uint64 defaultBudgetExpiry)
        external
        onlyRole(FUND_CREATOR_ROLE)
        returns (address fund)
    {
        fund = Clones.clone(implementation);
        Fund(fund).initialize(admin, name, currency, defaultBudgetExpiry);
        uint256 index = _funds.length;
        _funds.push(fund);
        _indexOf[fund] = index + 1;
        emit FundCreated(fund, admin, index, name, currency, defaultBudgetExpiry);
    }

    /// @notice How many funds this factory created.
    function fundCount() external view returns (uint256) {
        return _funds.length;
    }

    /// @notice The fund with short number `index`.
    function fundAt(uint256 index) external view returns (address) {
        if (index >= _funds.length) revert FactoryUnknownFund(index);
        return _funds[index];
    }

    /// @notice The short number of `fund`; reverts for an address this factory did not create.
    function indexOf(address fund) external view returns (uint256) {
        uint256 indexPlusOne = _indexOf[fund];
        if (indexPlusOne == 0) revert FactoryUnknownFund(type(uint256).max);
        return indexPlusOne - 1;
    }

    /// @notice Whether this factory created `fund`.
    function isFund(address fund) external view returns (bool) {
        return _indexOf[fund] != 0;
    }
}
