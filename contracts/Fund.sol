// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IFund} from "./IFund.sol";

/// @title Fund
/// @notice One scheme's money for one period: sponsors' reserve, children's budgets, merchants'
/// receivables and what was paid out to them. Deployed by {FundFactory}: each fund is its own contract,
/// running a copy of one implementation's code.
///
/// Money only moves between these four places, so for every call sequence
/// `deposited - withdrawn == reserve + Σ budget balances + Σ receivables + paidOut`.
///
/// A payment needs a permit signed by the family's device key; whoever relays it (normally the
/// backend, so families need no gas) cannot change the budget, the ceiling or the nonce. A relayer may
/// send many payments in one transaction with {multicall}: all of them happen, or none.
///
/// Payments are not stored one by one. Each budget keeps the head of a hash chain of its payments:
/// `head = keccak256(abi.encode(previousHead, merchant, amount, nonce))`, starting from
/// `keccak256(abi.encode(budgetId))` at issue, each hash cut to its first 160 bits (the last 12 bytes
/// zero) so the head shares a slot with the balance. A refund names its payment by the links from that
/// payment up to the head (read from the {PaymentMade} events); only genuine payments fold to the head.
/// Forging a proof means finding links that hash to a given 160-bit head (2^160 work). A collision
/// (2^80 work) does not help: one side of it would have to be payments the holder signed, where a
/// relayer picks only the merchant and an amount up to the signed ceiling, far fewer than 2^80 choices.
contract Fund is IFund, Initializable, AccessControl, Pausable, EIP712, Multicall {
    using SafeCast for uint256;

    bytes32 public constant SPONSOR_ROLE = keccak256("SPONSOR_ROLE");
    bytes32 public constant VALIDATOR_ROLE = keccak256("VALIDATOR_ROLE");
    bytes32 public constant MERCHANT_MANAGER_ROLE = keccak256("MERCHANT_MANAGER_ROLE");
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");
    bytes32 public constant OPERATOR_ROLE = keccak256("OPERATOR_ROLE");
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    bytes32 public constant PAYMENT_PERMIT_TYPEHASH = keccak256(
        "PaymentPermit(address fund,bytes32 budgetId,uint256 maxAmount,uint256 nonce,uint256 deadline)"
    );

    string private constant _EIP712_NAME = "Tegoed Fund";
    string private constant _EIP712_VERSION = "1";
    bytes32 private constant _EIP712_DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant _EIP712_HASHED_NAME = keccak256(bytes(_EIP712_NAME));
    bytes32 private constant _EIP712_HASHED_VERSION = keccak256(bytes(_EIP712_VERSION));

    /// @notice The most cents a budget can hold (EUR 42.9 million): its balance is packed in 32 bits.
    uint256 public constant MAX_BUDGET_BALANCE = type(uint32).max;

    // Packed so that a payment writes one slot of the budget and reads one more, both already holding a
    // value. The widths leave room to spare: a child's budget holds hundreds of euros, makes far fewer
    // than 16.7 million payments, and an expiry in 32 bits of unix seconds reaches 2106.
    struct Budget {
        // first slot: all a payment checks and changes but the holder
        uint32 balance;
        uint24 nonce;
        uint32 expiry; // never zero once issued: a budget exists when it has an expiry
        bool frozen;
        bytes20 paymentsHead; // see {paymentsHeadOf}; never zero once issued
        // second slot: read by a payment, written on activation, re-keying, allocating and reclaiming
        address holder;
        uint96 allocated;
        // third slot: read only to allocate and reclaim
        address sponsor;
    }

    enum MerchantStatus {
        None,
        Approved,
        Suspended
    }

    struct Merchant {
        MerchantStatus status;
        uint32 categories;
        uint104 receivable;
        uint104 paidOut;
    }

    string private _name;
    bytes3 private _currency;
    uint64 private _defaultBudgetExpiry;

    uint128 private _deposited;
    uint128 private _withdrawn;
    uint128 private _reserve;
    uint128 private _paidOut;

    mapping(address sponsor => uint256) private _reserveOf;
    mapping(bytes32 budgetId => Budget) private _budgets;
    mapping(address merchant => Merchant) private _merchants;
    mapping(bytes32 paymentId => uint256) private _refunded;
    mapping(bytes32 bankRef => bool) private _bankRefUsed;

    /// @dev The implementation itself is never initialized; only the funds running a copy of its code are.
    constructor() EIP712(_EIP712_NAME, _EIP712_VERSION) {
        _disableInitializers();
    }

    /// @notice Sets up a fund: its admin, name, currency code and the default budget expiry.
    /// @dev Called once by {FundFactory} in the same transaction that creates the fund.
    function initialize(address admin, string calldata fundName, bytes3 fundCurrency, uint64 budgetExpiry)
        external
        initializer
    {
        if (admin == address(0)) revert FundZeroAddress();
        _name = fundName;
        _currency = fundCurrency;
        _defaultBudgetExpiry = budgetExpiry;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        emit DefaultBudgetExpiryChanged(budgetExpiry);
    }

    // ---------------------------------------------------------------- sponsors

    /// @notice Records `amount` cents received in the fund's bank account from the calling sponsor.
    /// @dev Requires SPONSOR_ROLE; `bankRef` must be new. Works while paused: it records a fact.
    /// Emits {Deposited}.
    function deposit(uint256 amount, bytes32 bankRef) external onlyRole(SPONSOR_ROLE) {
        if (amount == 0) revert FundZeroAmount();
        _useBankRef(bankRef);
        _reserveOf[msg.sender] += amount;
        _reserve += amount.toUint128();
        _deposited += amount.toUint128();
        emit Deposited(msg.sender, amount, bankRef);
    }

    /// @notice Takes `amount` cents of the caller's unallocated reserve back out of the fund.
    /// @dev Requires SPONSOR_ROLE and not paused. Emits {Withdrawn}.
    function withdraw(uint256 amount, bytes32 bankRef) external onlyRole(SPONSOR_ROLE) whenNotPaused {
        if (amount == 0) revert FundZeroAmount();
        _useBankRef(bankRef);
        _takeReserve(msg.sender, amount);
        _withdrawn += amount.toUint128();
        emit Withdrawn(msg.sender, amount, bankRef);
    }

    // ---------------------------------------------------------------- validators

    /// @notice Creates a batch of budgets funded from `sponsor`'s reserve.
    /// @dev Requires VALIDATOR_ROLE and not paused. Each id must be new and non-zero, each amount
    /// non-zero, each expiry in the future (0 takes the default). Emits {BudgetIssued} per budget.
    function issueBudgets(address sponsor, BudgetGrant[] calldata grants)
        external
        onlyRole(VALIDATOR_ROLE)
        whenNotPaused
    {
        if (!hasRole(SPONSOR_ROLE, sponsor)) revert FundNotSponsor(sponsor);
        uint256 total;
        for (uint256 i = 0; i < grants.length; ++i) {
            BudgetGrant calldata grant = grants[i];
            if (grant.amount == 0) revert FundZeroAmount();
            Budget storage budget = _budgets[grant.budgetId];
            if (grant.budgetId == bytes32(0) || budget.expiry != 0) revert BudgetExists(grant.budgetId);
            uint64 expiry = grant.expiry == 0 ? _defaultBudgetExpiry : grant.expiry;
            if (expiry <= block.timestamp) revert FundExpiryInPast(expiry);

            uint256 amount = grant.amount;
            if (amount > MAX_BUDGET_BALANCE) revert BudgetBalanceTooLarge(grant.budgetId, amount, MAX_BUDGET_BALANCE);
            budget.balance = uint32(amount);
            budget.sponsor = sponsor;
            budget.expiry = SafeCast.toUint32(expiry); // a truncated expiry would differ from the event's
            budget.allocated = uint96(amount);
            budget.paymentsHead = _genesis(grant.budgetId); // paid here, once, so payments write no new slot
            total += amount;
            emit BudgetIssued(grant.budgetId, sponsor, amount, expiry);
        }
        _takeReserve(sponsor, total);
    }

    /// @notice Adds `amount` cents to each of `budgetIds`, each from its own sponsor's reserve.
    /// @dev Requires VALIDATOR_ROLE and not paused; every budget must exist and not be expired.
    /// Emits {BudgetToppedUp} per budget.
    function topUp(bytes32[] calldata budgetIds, uint256 amount) external onlyRole(VALIDATOR_ROLE) whenNotPaused {
        if (amount == 0) revert FundZeroAmount();
        for (uint256 i = 0; i < budgetIds.length; ++i) {
            Budget storage budget = _existingBudget(budgetIds[i]);
            if (block.timestamp >= budget.expiry) revert BudgetExpired(budgetIds[i], budget.expiry);
            _takeReserve(budget.sponsor, amount);
            uint256 balance = _credit(budgetIds[i], budget, amount);
            budget.allocated += uint96(amount); // fits: {_credit} bounded `amount` by MAX_BUDGET_BALANCE
            emit BudgetToppedUp(budgetIds[i], amount, balance);
        }
    }

    /// @notice Binds the family's device key to a budget on activation. One key may hold several budgets.
    /// @dev Requires VALIDATOR_ROLE; the budget must have no holder yet (see {rekey}). Emits {BudgetHolderSet}.
    function setHolder(bytes32 budgetId, address holder) external onlyRole(VALIDATOR_ROLE) {
        if (holder == address(0)) revert FundZeroAddress();
        Budget storage budget = _existingBudget(budgetId);
        if (budget.holder != address(0)) revert BudgetHolderAlreadySet(budgetId, budget.holder);
        budget.holder = holder;
        emit BudgetHolderSet(budgetId, holder);
    }

    /// @notice Moves an activated budget to a new device key (lost phone). Permits of the old key fail
    /// at once, and the nonce goes up so none of them revives if the key ever comes back.
    /// @dev Requires VALIDATOR_ROLE; a budget without holder is activated with {setHolder} instead.
    /// Emits {BudgetRekeyed}.
    function rekey(bytes32 budgetId, address newHolder) external onlyRole(VALIDATOR_ROLE) {
        if (newHolder == address(0)) revert FundZeroAddress();
        Budget storage budget = _existingBudget(budgetId);
        address oldHolder = budget.holder;
        if (oldHolder == address(0)) revert BudgetNotActivated(budgetId);
        budget.holder = newHolder;
        budget.nonce += 1;
        emit BudgetRekeyed(budgetId, oldHolder, newHolder);
    }

    /// @notice Stops all payments from a budget until {unfreeze}.
    /// @dev Requires VALIDATOR_ROLE; refused when already frozen. Emits {BudgetFreezeChanged}.
    function freeze(bytes32 budgetId) external onlyRole(VALIDATOR_ROLE) {
        Budget storage budget = _existingBudget(budgetId);
        if (budget.frozen) revert BudgetFrozen(budgetId);
        budget.frozen = true;
        emit BudgetFreezeChanged(budgetId, true);
    }

    /// @notice Allows payments from a frozen budget again.
    /// @dev Requires VALIDATOR_ROLE; refused when not frozen. Emits {BudgetFreezeChanged}.
    function unfreeze(bytes32 budgetId) external onlyRole(VALIDATOR_ROLE) {
        Budget storage budget = _existingBudget(budgetId);
        if (!budget.frozen) revert BudgetNotFrozen(budgetId);
        budget.frozen = false;
        emit BudgetFreezeChanged(budgetId, false);
    }

    /// @notice Returns what is left of expired budgets to their sponsors' reserve.
    /// @dev Requires VALIDATOR_ROLE and not paused; every budget must have expired. Emits
    /// {BudgetReclaimed} for each budget that still held money.
    function reclaim(bytes32[] calldata budgetIds) external onlyRole(VALIDATOR_ROLE) whenNotPaused {
        for (uint256 i = 0; i < budgetIds.length; ++i) {
            Budget storage budget = _existingBudget(budgetIds[i]);
            if (block.timestamp < budget.expiry) revert BudgetNotExpired(budgetIds[i], budget.expiry);
            uint32 amount = budget.balance;
            if (amount == 0) continue;
            budget.balance = 0;
            budget.allocated -= amount;
            _reserveOf[budget.sponsor] += amount;
            _reserve += amount;
            emit BudgetReclaimed(budgetIds[i], budget.sponsor, amount);
        }
    }

    // ---------------------------------------------------------------- merchants

    /// @notice Lets `merchant` be paid from this fund, in the given category bitmask.
    /// @dev Requires MERCHANT_MANAGER_ROLE. Also re-approves a suspended merchant. Emits {MerchantApproved}.
    function approveMerchant(address merchant, uint32 categories) external onlyRole(MERCHANT_MANAGER_ROLE) {
        if (merchant == address(0)) revert FundZeroAddress();
        Merchant storage m = _merchants[merchant];
        m.status = MerchantStatus.Approved;
        m.categories = categories;
        emit MerchantApproved(merchant, categories);
    }

    /// @notice Stops payments to `merchant`. What the fund owes it stays owed and can still be settled.
    /// @dev Requires MERCHANT_MANAGER_ROLE; the merchant must be approved. Emits {MerchantSuspended}.
    function suspendMerchant(address merchant) external onlyRole(MERCHANT_MANAGER_ROLE) {
        Merchant storage m = _merchants[merchant];
        if (m.status != MerchantStatus.Approved) revert MerchantNotApproved(merchant);
        m.status = MerchantStatus.Suspended;
        emit MerchantSuspended(merchant);
    }

    // ---------------------------------------------------------------- payments

    /// @notice Pays `amount` cents from a child's budget to an approved merchant.
    /// @dev Anyone may submit the family's permit. Refused when paused, for a zero amount, a permit of
    /// another fund, an unknown, frozen, expired or not yet activated budget, a passed deadline, a used
    /// nonce, a signer other than the holder, an unapproved merchant, an amount above the permit's
    /// ceiling or the balance. The budget's nonce goes up, so every older permit is dead, and the payment
    /// is hashed into the budget's payment chain (see {paymentsHeadOf}). Emits {PaymentMade}.
    /// @return paymentId `keccak256(abi.encode(budgetId, nonce))`, the id refunds refer to.
    /// @return balance What is left of the budget: a till that simulates the payment shows it on the receipt.
    function pay(PaymentPermit calldata permit, bytes calldata signature, address merchant, uint256 amount)
        external
        whenNotPaused
        returns (bytes32 paymentId, uint256 balance)
    {
        if (amount == 0) revert FundZeroAmount();
        if (permit.fund != address(this)) revert PermitWrongFund(permit.fund);
        bytes32 budgetId = permit.budgetId;
        Budget storage budget = _budgets[budgetId];
        // The budget's first slot, read once; the second (the holder) only once the budget may pay.
        (uint256 balanceBefore, uint256 nonce, bytes20 head) = (budget.balance, budget.nonce, budget.paymentsHead);
        {
            (uint256 expiry, bool frozen) = (budget.expiry, budget.frozen);
            if (expiry == 0) revert BudgetUnknown(budgetId);
            if (frozen) revert BudgetFrozen(budgetId);
            if (block.timestamp >= expiry) revert BudgetExpired(budgetId, uint64(expiry));
        }
        {
            address holder = budget.holder;
            if (holder == address(0)) revert BudgetNotActivated(budgetId);
            _checkPermit(permit, signature, holder, nonce);
        }
        {
            Merchant storage m = _merchants[merchant];
            (MerchantStatus status, uint256 receivable) = (m.status, m.receivable);
            if (status != MerchantStatus.Approved) revert MerchantNotApproved(merchant);
            if (amount > permit.maxAmount) revert PermitAmountExceeded(permit.maxAmount, amount);
            if (amount > balanceBefore) revert BudgetInsufficient(budgetId, balanceBefore, amount);
            m.receivable = (receivable + amount).toUint104();
        }

        paymentId = paymentIdOf(budgetId, nonce);
        unchecked {
            balance = balanceBefore - amount; // not more than the balance: checked above
        }
        // One write of the slot; the balance only went down, so it fits. Every older permit is dead now.
        (budget.balance, budget.nonce, budget.paymentsHead) =
            (uint32(balance), (nonce + 1).toUint24(), _link(head, merchant, amount, nonce));
        emit PaymentMade(paymentId, budgetId, merchant, amount, nonce);
    }

    /// @notice Returns `amount` cents of a payment to the budget it came from, for the merchant it went to.
    /// @dev Requires OPERATOR_ROLE (the backend acting for an authenticated merchant) and not paused.
    /// The payment is proven from calldata: `links[0]` is the payment refunded, the rest of `links` every
    /// later payment of the budget in order, and `headBefore` the budget's chain head before `links[0]`
    /// (see {paymentsHeadOf}; the genesis head for its first payment). Folding `headBefore` over `links` with
    /// {PaymentMade}'s merchant, amount and nonce must give the head the budget holds now, else
    /// {PaymentProofInvalid}: also for an empty `links`, and for a proof that a later payment made stale.
    /// All refunds of a payment together never exceed it, and never exceed what the fund still owes the
    /// merchant. Refused for a zero amount, an unknown budget, and a balance above MAX_BUDGET_BALANCE
    /// (only reachable after top-ups refilled a spent budget). Emits {PaymentRefunded}.
    function refund(bytes32 budgetId, uint256 amount, bytes32 headBefore, PaymentLink[] calldata links)
        external
        onlyRole(OPERATOR_ROLE)
        whenNotPaused
    {
        if (amount == 0) revert FundZeroAmount();
        Budget storage budget = _budgets[budgetId];
        _checkPaymentProof(budgetId, budget.paymentsHead, headBefore, links);

        PaymentLink calldata payment = links[0];
        address merchant = payment.merchant;
        bytes32 paymentId = paymentIdOf(budgetId, payment.nonce);
        uint256 refunded = _refunded[paymentId];
        if (amount > payment.amount - refunded) {
            revert PaymentRefundExceeded(paymentId, payment.amount - refunded, amount);
        }
        Merchant storage m = _merchants[merchant];
        if (amount > m.receivable) revert MerchantReceivableInsufficient(merchant, m.receivable, amount);

        _refunded[paymentId] = refunded + amount;
        m.receivable -= uint104(amount);
        _credit(budgetId, budget, amount);
        emit PaymentRefunded(paymentId, budgetId, merchant, amount);
    }

    /// @notice Records that `amount` cents of the merchant's receivable reached its bank account.
    /// @dev Requires SETTLER_ROLE; `bankRef` must be new, so a transfer is never recorded twice.
    /// Works while paused: it records a fact. Emits {MerchantSettled}.
    function settle(address merchant, uint256 amount, bytes32 bankRef) external onlyRole(SETTLER_ROLE) {
        if (amount == 0) revert FundZeroAmount();
        _useBankRef(bankRef);
        Merchant storage m = _merchants[merchant];
        if (amount > m.receivable) revert MerchantReceivableInsufficient(merchant, m.receivable, amount);
        m.receivable -= uint104(amount);
        m.paidOut += uint104(amount);
        _paidOut += uint128(amount);
        emit MerchantSettled(merchant, amount, bankRef);
    }

    // ---------------------------------------------------------------- admin

    /// @notice Stops payments, refunds, issuing, top-ups, reclaims and withdrawals.
    /// @dev Requires PAUSER_ROLE. Emits {Paused}.
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @notice Lifts {pause}.
    /// @dev Requires PAUSER_ROLE. Emits {Unpaused}.
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }

    /// @notice Sets the expiry given to new budgets that name none.
    /// @dev Requires DEFAULT_ADMIN_ROLE; the expiry must be in the future. Emits {DefaultBudgetExpiryChanged}.
    function setDefaultBudgetExpiry(uint64 expiry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (expiry <= block.timestamp) revert FundExpiryInPast(expiry);
        _defaultBudgetExpiry = SafeCast.toUint32(expiry); // refused here rather than at every issue
        emit DefaultBudgetExpiryChanged(expiry);
    }

    // ---------------------------------------------------------------- views

    /// @notice The fund's name, e.g. "Kindpakket Westerkwartier 2027".
    function name() external view returns (string memory) {
        return _name;
    }

    /// @notice ISO 4217 code of the currency whose cents all amounts count, e.g. "EUR".
    function currency() external view returns (bytes3) {
        return _currency;
    }

    /// @notice The expiry given to new budgets that name none.
    function defaultBudgetExpiry() external view returns (uint64) {
        return _defaultBudgetExpiry;
    }

    /// @notice A budget's holder key, sponsor, balance, spent, expiry, nonce and frozen flag.
    function budgetOf(bytes32 budgetId) external view returns (BudgetView memory) {
        Budget storage b = _budgets[budgetId];
        return BudgetView({
            holder: b.holder,
            sponsor: b.sponsor,
            balance: b.balance,
            spent: b.allocated - b.balance,
            expiry: uint64(b.expiry),
            nonce: b.nonce,
            frozen: b.frozen
        });
    }

    /// @notice The cents left in a budget.
    function balanceOf(bytes32 budgetId) external view returns (uint256) {
        return _budgets[budgetId].balance;
    }

    /// @notice A merchant's approval, categories, receivable and what was paid out to it.
    function merchantOf(address account) external view returns (MerchantView memory) {
        Merchant storage m = _merchants[account];
        return MerchantView({
            approved: m.status == MerchantStatus.Approved,
            suspended: m.status == MerchantStatus.Suspended,
            categories: m.categories,
            receivable: m.receivable,
            paidOut: m.paidOut
        });
    }

    /// @notice The cents the fund owes `account` and has not paid out yet.
    function receivableOf(address account) external view returns (uint256) {
        return _merchants[account].receivable;
    }

    /// @notice The cents of payment `paymentId` refunded so far (0 for an id that paid nothing).
    function refundedOf(bytes32 paymentId) external view returns (uint256) {
        return _refunded[paymentId];
    }

    /// @notice The head of a budget's payment chain: `keccak256(abi.encode(budgetId))` after issue, then
    /// `keccak256(abi.encode(previousHead, merchant, amount, nonce))` after each payment, each cut to its
    /// first 20 bytes (the last 12 are zero); zero for an id the fund never issued. {refund} proves a
    /// payment against it.
    function paymentsHeadOf(bytes32 budgetId) external view returns (bytes32) {
        return _budgets[budgetId].paymentsHead;
    }

    /// @notice The part of the reserve that `sponsor` may allocate or withdraw.
    function reserveOf(address sponsor) external view returns (uint256) {
        return _reserveOf[sponsor];
    }

    /// @notice The fund's totals. `outstanding` is what budgets hold plus what merchants are owed.
    function totals() external view returns (Totals memory) {
        return Totals({
            deposited: _deposited,
            withdrawn: _withdrawn,
            reserve: _reserve,
            outstanding: _deposited - _withdrawn - _reserve - _paidOut,
            paidOut: _paidOut
        });
    }

    /// @notice Whether a bank reference was recorded by a deposit, withdrawal or settlement.
    function isBankRefUsed(bytes32 bankRef) external view returns (bool) {
        return _bankRefUsed[bankRef];
    }

    /// @notice The EIP-712 digest a family's key signs for `permit`.
    function permitDigest(PaymentPermit calldata permit) public view returns (bytes32) {
        return MessageHashUtils.toTypedDataHash(_domainSeparator(), _hashPermit(permit));
    }

    /// @notice The EIP-712 domain separator of this fund.
    // solhint-disable-next-line func-name-mixedcase
    function DOMAIN_SEPARATOR() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The id of the payment made from `budgetId` with permit nonce `nonce`.
    function paymentIdOf(bytes32 budgetId, uint256 nonce) public pure returns (bytes32) {
        return Hashes.efficientKeccak256(budgetId, bytes32(nonce)); // keccak256(abi.encode(budgetId, nonce))
    }

    // ---------------------------------------------------------------- internals

    function _checkPermit(PaymentPermit calldata permit, bytes calldata signature, address holder, uint256 nonce)
        private
        view
    {
        if (block.timestamp > permit.deadline) revert PermitExpired(permit.deadline);
        // The signer before the nonce: a permit of a key that was rekeyed away says so, not "used".
        address signer = _recover(permitDigest(permit), signature);
        if (signer != holder) revert PermitInvalidSigner(signer, holder);
        if (permit.nonce != nonce) revert PermitNonceUsed(permit.budgetId, nonce, permit.nonce);
    }

    /// @dev Accepts a 65-byte signature or a 64-byte compact one (EIP-2098), which the QR carries.
    /// A malformed signature counts as signed by nobody.
    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address signer) {
        if (signature.length == 64) {
            bytes32 r;
            bytes32 vs;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                vs := calldataload(add(signature.offset, 0x20))
            }
            (signer,,) = ECDSA.tryRecover(digest, r, vs);
        } else {
            (signer,,) = ECDSA.tryRecoverCalldata(digest, signature);
        }
    }

    /// @dev The head of a budget's payment chain before any payment. Hashed rather than the id itself, so
    /// that no one who picks a budget id can make it the hash of a payment that never happened.
    function _genesis(bytes32 budgetId) private pure returns (bytes20) {
        return bytes20(keccak256(abi.encode(budgetId)));
    }

    /// @dev One step of a budget's payment chain: the one encoding {pay} writes and {refund} checks.
    /// Hashed in scratch memory rather than through abi.encode, which copies it into newly allocated memory.
    function _link(bytes32 head, address merchant, uint256 amount, uint256 nonce) private pure returns (bytes20) {
        bytes32 hash;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, head)
            mstore(add(ptr, 0x20), merchant)
            mstore(add(ptr, 0x40), amount)
            mstore(add(ptr, 0x60), nonce)
            hash := keccak256(ptr, 0x80)
        }
        return bytes20(hash);
    }

    /// @dev `keccak256(abi.encode(PAYMENT_PERMIT_TYPEHASH, permit))`, hashed in scratch memory. Reading
    /// `permit.fund` reverts for an address with dirty upper bits, so the words copied are abi.encode's.
    function _hashPermit(PaymentPermit calldata permit) private pure returns (bytes32 hash) {
        bytes32 typeHash = PAYMENT_PERMIT_TYPEHASH;
        address fund = permit.fund;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            mstore(add(ptr, 0x20), fund)
            calldatacopy(add(ptr, 0x40), add(permit, 0x20), 0x80) // budgetId, maxAmount, nonce, deadline
            hash := keccak256(ptr, 0xc0)
        }
    }

    /// @dev {EIP712}'s domain separator, built for this address each time: a fund runs a copy of the
    /// implementation's code, and the separator {EIP712} caches is the implementation's own.
    function _domainSeparator() private view returns (bytes32 separator) {
        (bytes32 typeHash, bytes32 hashedName, bytes32 hashedVersion) =
            (_EIP712_DOMAIN_TYPEHASH, _EIP712_HASHED_NAME, _EIP712_HASHED_VERSION);
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            mstore(add(ptr, 0x20), hashedName)
            mstore(add(ptr, 0x40), hashedVersion)
            mstore(add(ptr, 0x60), chainid())
            mstore(add(ptr, 0x80), address())
            separator := keccak256(ptr, 0xa0)
        }
    }

    /// @dev Reverts unless folding `headBefore` over `links` gives `head`, the budget's stored head (zero
    /// for a budget the fund never issued).
    function _checkPaymentProof(bytes32 budgetId, bytes32 head, bytes32 headBefore, PaymentLink[] calldata links)
        private
        pure
    {
        if (head == bytes32(0)) revert BudgetUnknown(budgetId);
        if (links.length == 0) revert PaymentProofInvalid(budgetId);
        bytes32 folded = headBefore;
        for (uint256 i = 0; i < links.length; ++i) {
            PaymentLink calldata link = links[i];
            folded = _link(folded, link.merchant, link.amount, link.nonce);
        }
        if (folded != head) revert PaymentProofInvalid(budgetId);
    }

    function _existingBudget(bytes32 budgetId) private view returns (Budget storage budget) {
        budget = _budgets[budgetId];
        if (budget.expiry == 0) revert BudgetUnknown(budgetId);
    }

    /// @dev Adds `amount` cents to a budget's balance, refusing a balance it cannot hold; returns the new one.
    function _credit(bytes32 budgetId, Budget storage budget, uint256 amount) private returns (uint256 balance) {
        balance = budget.balance + amount;
        if (balance > MAX_BUDGET_BALANCE) revert BudgetBalanceTooLarge(budgetId, balance, MAX_BUDGET_BALANCE);
        budget.balance = uint32(balance);
    }

    function _takeReserve(address sponsor, uint256 amount) private {
        uint256 available = _reserveOf[sponsor];
        if (amount > available) revert FundReserveInsufficient(sponsor, available, amount);
        _reserveOf[sponsor] = available - amount;
        _reserve -= uint128(amount);
    }

    function _useBankRef(bytes32 bankRef) private {
        if (bankRef == bytes32(0) || _bankRefUsed[bankRef]) revert FundBankRefUsed(bankRef);
        _bankRefUsed[bankRef] = true;
    }
}
