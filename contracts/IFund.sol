// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

/// @title Tegoed fund: shared types, errors and events
/// @notice A fund holds one scheme's money for one period ("Kindpakket 2027"). Every amount is in euro
/// cents. Budgets are keyed by a random id: nothing on chain says whose child a budget belongs to.
interface IFund {
    /// @notice A family's signed permission to pay at most `maxAmount` cents from one budget, once.
    struct PaymentPermit {
        address fund;
        bytes32 budgetId;
        uint256 maxAmount;
        uint256 nonce;
        uint256 deadline;
    }

    /// @notice One new budget in an {issueBudgets} batch. An `expiry` of 0 takes the fund's default.
    struct BudgetGrant {
        bytes32 budgetId;
        uint256 amount;
        uint64 expiry;
    }

    /// @notice A budget as the views report it.
    struct BudgetView {
        address holder;
        address sponsor;
        uint256 balance;
        uint256 spent;
        uint64 expiry;
        uint32 nonce;
        bool frozen;
    }

    /// @notice A merchant as the views report it.
    struct MerchantView {
        bool approved;
        bool suspended;
        uint32 categories;
        uint256 receivable;
        uint256 paidOut;
    }

    /// @notice One payment as a link of its budget's payment chain: what {pay} hashed into the budget's
    /// head. A refund proves its payment by a list of these (see {Fund-refund}).
    struct PaymentLink {
        address merchant;
        uint256 amount;
        uint256 nonce;
    }

    /// @notice The fund's money, as the invariant sees it:
    /// `deposited - withdrawn == reserve + outstanding + paidOut`, where `outstanding` is what sits in
    /// budgets and in merchants' receivables.
    struct Totals {
        uint256 deposited;
        uint256 withdrawn;
        uint256 reserve;
        uint256 outstanding;
        uint256 paidOut;
    }

    // --- errors: fund ---

    /// @notice An amount of zero cents was given where money must move.
    error FundZeroAmount();
    /// @notice A bank reference was empty or already recorded (a transfer can be recorded only once).
    error FundBankRefUsed(bytes32 bankRef);
    /// @notice The sponsor's part of the reserve holds less than asked.
    error FundReserveInsufficient(address sponsor, uint256 reserve, uint256 amount);
    /// @notice The address does not hold the sponsor role.
    error FundNotSponsor(address account);
    /// @notice An expiry that is not in the future.
    error FundExpiryInPast(uint64 expiry);
    /// @notice A zero address where an account is required.
    error FundZeroAddress();

    // --- errors: budgets ---

    /// @notice No budget with this id exists in this fund.
    error BudgetUnknown(bytes32 budgetId);
    /// @notice A budget with this id exists already (ids are random and never reused).
    error BudgetExists(bytes32 budgetId);
    /// @notice The budget is frozen by a validator.
    error BudgetFrozen(bytes32 budgetId);
    /// @notice The budget is past its expiry.
    error BudgetExpired(bytes32 budgetId, uint64 expiry);
    /// @notice The budget has not expired yet, so it cannot be reclaimed.
    error BudgetNotExpired(bytes32 budgetId, uint64 expiry);
    /// @notice Asked for more cents than the budget holds.
    error BudgetInsufficient(bytes32 budgetId, uint256 balance, uint256 amount);
    /// @notice No family key is bound to the budget yet: it has not been activated.
    error BudgetNotActivated(bytes32 budgetId);
    /// @notice The budget already has a holder: use {rekey} to replace it.
    error BudgetHolderAlreadySet(bytes32 budgetId, address holder);
    /// @notice The budget is not frozen.
    error BudgetNotFrozen(bytes32 budgetId);
    /// @notice The budget would hold `balance` cents, more than the `max` it can (see {Fund-MAX_BUDGET_BALANCE}).
    error BudgetBalanceTooLarge(bytes32 budgetId, uint256 balance, uint256 max);

    // --- errors: permits ---

    /// @notice The permit names another fund.
    error PermitWrongFund(address fund);
    /// @notice The permit's deadline has passed.
    error PermitExpired(uint256 deadline);
    /// @notice The permit's nonce is not the budget's current nonce: it was used or replaced.
    error PermitNonceUsed(bytes32 budgetId, uint256 current, uint256 nonce);
    /// @notice The permit was not signed by the budget's holder key.
    error PermitInvalidSigner(address signer, address holder);
    /// @notice The amount is above what the family allowed in the permit.
    error PermitAmountExceeded(uint256 maxAmount, uint256 amount);

    // --- errors: merchants and payments ---

    /// @notice The merchant is not approved for this fund (never approved, or suspended).
    error MerchantNotApproved(address merchant);
    /// @notice The merchant is owed less than asked.
    error MerchantReceivableInsufficient(address merchant, uint256 receivable, uint256 amount);
    /// @notice The links given for a refund do not lead from `headBefore` to the budget's payment-chain
    /// head: a link was altered, left out or added, the list was empty, or another payment of the budget
    /// landed after the proof was built (then build it again).
    error PaymentProofInvalid(bytes32 budgetId);
    /// @notice A refund above what is left of the payment.
    error PaymentRefundExceeded(bytes32 paymentId, uint256 refundable, uint256 amount);

    // --- events ---

    /// @notice A sponsor's money arrived at the fund's bank account and is recorded in the reserve.
    event Deposited(address indexed sponsor, uint256 amount, bytes32 indexed bankRef);
    /// @notice A sponsor took unallocated money back out of the reserve.
    event Withdrawn(address indexed sponsor, uint256 amount, bytes32 indexed bankRef);
    /// @notice A budget was created from a sponsor's reserve.
    event BudgetIssued(bytes32 indexed budgetId, address indexed sponsor, uint256 amount, uint64 expiry);
    /// @notice A budget received more money from its sponsor's reserve.
    event BudgetToppedUp(bytes32 indexed budgetId, uint256 amount, uint256 balance);
    /// @notice A family's device key was bound to the budget (activation).
    event BudgetHolderSet(bytes32 indexed budgetId, address indexed holder);
    /// @notice The budget's key was replaced (lost phone); the old key is dead from this block.
    event BudgetRekeyed(bytes32 indexed budgetId, address indexed oldHolder, address indexed newHolder);
    /// @notice The budget was frozen (`frozen` true) or unfrozen.
    event BudgetFreezeChanged(bytes32 indexed budgetId, bool frozen);
    /// @notice What was left of an expired budget went back to its sponsor's reserve.
    event BudgetReclaimed(bytes32 indexed budgetId, address indexed sponsor, uint256 amount);
    /// @notice The merchant may now be paid from this fund, in these categories.
    event MerchantApproved(address indexed merchant, uint32 categories);
    /// @notice The merchant may no longer be paid from this fund.
    event MerchantSuspended(address indexed merchant);
    /// @notice One accepted payment: the budget went down, the merchant's receivable up.
    event PaymentMade(
        bytes32 indexed paymentId, bytes32 indexed budgetId, address indexed merchant, uint256 amount, uint256 nonce
    );
    /// @notice Part or all of a payment went back to the budget.
    event PaymentRefunded(bytes32 indexed paymentId, bytes32 indexed budgetId, address indexed merchant, uint256 amount);
    /// @notice The merchant was paid `amount` in its bank account, under the bank's reference.
    event MerchantSettled(address indexed merchant, uint256 amount, bytes32 indexed bankRef);
    /// @notice The expiry given to new budgets that name none changed.
    event DefaultBudgetExpiryChanged(uint64 expiry);
}
