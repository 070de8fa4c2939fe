// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Errors} from "@openzeppelin/contracts/utils/Errors.sol";
import {Fund} from "./Fund.sol";

/// @title FundFactory
/// @notice Deploys one {Fund} per scheme and period, each a contract running a copy of one implementation's
/// code, and keeps the list, so anyone can find every fund and check its figures on the chain.
///
/// A copy rather than a minimal-proxy clone: a fund is created once a year and paid from thousands of
/// times, and a clone's every call pays a DELEGATECALL to the implementation, a cold account (~2,700 gas
/// of a ~51,000-gas payment). A copy costs ~3.7 million gas more once, at creation (200 per byte of code).
contract FundFactory is AccessControl {
    bytes32 public constant FUND_CREATOR_ROLE = keccak256("FUND_CREATOR_ROLE");

    /// @notice The {Fund} whose code every fund runs (a copy of it). Never initialized itself.
    address public immutable implementation;

    address[] private _funds;
    mapping(address fund => uint256 indexPlusOne) private _indexOf;

    /// @notice A fund was created. `index` is its short number in this factory (used in payment QRs).
    event FundCreated(
        address indexed fund, address indexed admin, uint256 indexed index, string name, bytes3 currency, uint64 defaultBudgetExpiry
    );

    /// @notice No fund has this index or address.
    error FactoryUnknownFund(uint256 index);

    /// @notice `roles` and `accounts` of {createFundWithRoles} differ in length.
    error FactoryGrantsMismatch(uint256 roles, uint256 accounts);

    /// @notice {createFundWithRoles} may not hand out the admin role except to `admin`.
    error FactoryAdminGrant(address account);

    /// @notice The fund's admin may not be the zero address.
    error FactoryZeroAdmin();

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
        fund = _deployFund();
        Fund(fund).initialize(admin, name, currency, defaultBudgetExpiry);
        uint256 index = _funds.length;
        _funds.push(fund);
        _indexOf[fund] = index + 1;
        emit FundCreated(fund, admin, index, name, currency, defaultBudgetExpiry);
    }

    /// @notice Creates a fund administered by `admin` with operational roles already granted: the
    /// backend's keys get only the roles of their work, and the admin (the municipality's own key or
    /// multisig) is the only account that can grant or revoke roles from the first block on.
    /// @dev Requires FUND_CREATOR_ROLE. The factory is the fund's admin only within this call: it grants
    /// `roles[i]` to `accounts[i]`, then DEFAULT_ADMIN_ROLE to `admin`, then renounces its own.
    /// Reverts with FactoryAdminGrant when a grant is DEFAULT_ADMIN_ROLE. Emits {FundCreated}.
    function createFundWithRoles(
        address admin,
        string calldata name,
        bytes3 currency,
        uint64 defaultBudgetExpiry,
        bytes32[] calldata roles,
        address[] calldata accounts
    ) external onlyRole(FUND_CREATOR_ROLE) returns (address fund) {
        if (roles.length != accounts.length) revert FactoryGrantsMismatch(roles.length, accounts.length);
        if (admin == address(0)) revert FactoryZeroAdmin();
        fund = _deployFund();
        Fund(fund).initialize(address(this), name, currency, defaultBudgetExpiry);
        for (uint256 i = 0; i < roles.length; i++) {
            if (roles[i] == DEFAULT_ADMIN_ROLE) revert FactoryAdminGrant(accounts[i]);
            Fund(fund).grantRole(roles[i], accounts[i]);
        }
        Fund(fund).grantRole(DEFAULT_ADMIN_ROLE, admin);
        Fund(fund).renounceRole(DEFAULT_ADMIN_ROLE, address(this));
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

    /// @dev Creates a contract whose code is the implementation's. The runtime code carries the
    /// implementation's immutables, which is sound for {Fund}: its EIP-712 domain is rebuilt for any
    /// address other than the implementation's, and its storage (initializers included) starts empty.
    function _deployFund() private returns (address fund) {
        bytes memory code = implementation.code;
        // PUSH2 length, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN: returns the
        // code that follows these 10 bytes as the new contract's (code is at most 24,576 bytes: EIP-170).
        bytes memory initCode = bytes.concat(hex"61", bytes2(uint16(code.length)), hex"80600a3d393df3", code);
        assembly ("memory-safe") {
            fund := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (fund == address(0)) revert Errors.FailedDeployment();
    }
}
