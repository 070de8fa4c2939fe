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
        fund = Clones.clone(implementation);
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
        fund = Clones.clone(implementation);
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
}
