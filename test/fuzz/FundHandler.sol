// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

import {CommonBase} from "forge-std/Base.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Fund} from "../../contracts/Fund.sol";
import {IFund} from "../../contracts/IFund.sol";

/// @title FundHandler
/// @notice The only contract the invariant fuzzer calls. Every public function is one bounded action on
/// the fund, made by the account that holds the right role (the handler pranks as it). Actions are
/// sometimes given bad inputs on purpose (the `mode` argument) so the refusals run too.
///
/// The handler keeps its own model of the fund (the "ghost" state below) and, before each call, works
/// out from that model whether the fund must accept the call or which error it must give. The call is
/// made with a low-level `call`, so a refusal never stops the sequence; an outcome other than the
/// expected one reverts with {UnexpectedOutcome}, which fails the invariant run (failOnRevert = true).
/// The invariant test compares the fund's views with the ghost state after every call.
contract FundHandler is CommonBase {
    uint256 internal constant MAX_CENTS = 10_000_000; // EUR 100,000: one deposit or withdrawal
    uint256 internal constant MAX_GRANT = 1_000_000; // EUR 10,000: one budget grant or top-up (no run nears
    // a budget balance of 2^32 cents, so the model leaves BudgetBalanceTooLarge to the unit tests)
    uint256 internal constant MAX_BUDGETS = 16;
    uint256 internal constant MAX_PAYMENTS = 64;

    /// @notice Which action, for the per-action counters.
    enum Action {
        Deposit,
        Withdraw,
        IssueBudgets,
        TopUp,
        SetHolder,
        Rekey,
        Freeze,
        Unfreeze,
        ApproveMerchant,
        SuspendMerchant,
        Pay,
        Refund,
        Settle,
        Reclaim,
        Pause,
        Unpause,
        SetDefaultExpiry,
        Warp,
        Stranger
    }

    /// @notice The fund accepted a call the model says it must refuse, refused one it must accept, or
    /// refused with another error than the model's.
    error UnexpectedOutcome(Action action, bytes4 expected, bytes actual);

    struct BudgetGhost {
        address sponsor;
        address holder;
        uint64 expiry;
        bool frozen;
        uint256 issued; // issue + top-ups
        uint256 reclaimed;
        uint256 paid;
        uint256 refunded;
        uint256 nonce; // the permit nonce: +1 per payment and per rekey
        uint256 payments;
        bytes32 head; // the payment chain's head, computed here from the payments the fund accepted
    }

    struct MerchantGhost {
        uint8 status; // 0 none, 1 approved, 2 suspended
        uint32 categories;
        uint256 received; // Σ payments to it
        uint256 refunded; // Σ refunds of its payments
        uint256 settled; // Σ settlements (paid out)
    }

    struct PaymentGhost {
        bytes32 budgetId;
        uint256 nonce;
        address merchant;
        uint256 amount;
        uint256 refunded;
    }

    Fund public immutable fund;
    Fund public immutable otherFund; // another fund of the same factory: cross-fund permits
    address public immutable admin;

    address public immutable validator = _actor("validator");
    address public immutable merchantManager = _actor("merchantManager");
    address public immutable settler = _actor("settler");
    address public immutable operator = _actor("operator");
    address public immutable pauser = _actor("pauser");
    address public immutable relayer = _actor("relayer");
    address public immutable stranger = _actor("stranger");

    address[] internal _sponsors;
    address[] internal _merchants;
    uint256[] internal _holderKeys;
    mapping(address holder => uint256 privateKey) internal _keyOf;

    // ---------------------------------------------------------------- ghost state

    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    uint256 public ghostSettled;
    bool public ghostPaused;
    uint64 public ghostDefaultExpiry;
    mapping(address sponsor => uint256) public ghostReserveOf;

    bytes32[] internal _budgetIds;
    mapping(bytes32 budgetId => BudgetGhost) internal _budgets;
    mapping(address merchant => MerchantGhost) internal _merchantGhosts;
    PaymentGhost[] internal _payments;
    mapping(bytes32 budgetId => uint256[]) internal _paymentsOf; // indexes into _payments, in order

    uint256 internal _salt; // fresh budget ids and bank references
    bytes32 internal _lastBankRef;

    uint256[19] internal _ok;
    uint256[19] internal _refused;

    constructor(Fund fund_, Fund otherFund_, address admin_) {
        fund = fund_;
        otherFund = otherFund_;
        admin = admin_;
        _sponsors.push(_actor("sponsor.municipality"));
        _sponsors.push(_actor("sponsor.foundation"));
        for (uint256 i = 0; i < 4; ++i) {
            _merchants.push(_actor(string.concat("merchant.", vm.toString(i))));
            uint256 key = uint256(keccak256(abi.encode("tegoed.family-key", i))) % (SECP256K1_ORDER - 1) + 1;
            _holderKeys.push(key);
            _keyOf[vm.addr(key)] = key;
        }
        ghostDefaultExpiry = fund_.defaultBudgetExpiry();
    }

    /// @notice The roles the test must grant (admin) before calling {seed}.
    function roleHolders()
        external
        view
        returns (address[] memory sponsors_, address validator_, address merchantManager_, address settler_, address operator_, address pauser_)
    {
        return (_sponsors, validator, merchantManager, settler, operator, pauser);
    }

    /// @notice A starting state, so that every run has money, budgets, a family key and shops to work with.
    function seed() external {
        require(_budgetIds.length == 0, "seeded already");
        for (uint256 i = 0; i < _sponsors.length; ++i) {
            bytes32 ref = _newBankRef();
            _mustSucceed(Action.Deposit, _sponsors[i], abi.encodeCall(Fund.deposit, (5_000_000, ref)));
            ghostDeposited += 5_000_000;
            ghostReserveOf[_sponsors[i]] += 5_000_000;
            _lastBankRef = ref;
        }
        for (uint256 i = 0; i < 2; ++i) {
            _mustSucceed(Action.ApproveMerchant, merchantManager, abi.encodeCall(Fund.approveMerchant, (_merchants[i], 1)));
            _merchantGhosts[_merchants[i]].status = 1;
            _merchantGhosts[_merchants[i]].categories = 1;
        }
        for (uint256 i = 0; i < 3; ++i) {
            // one budget per batch, sponsors alternating, the fund's default expiry; two activated
            IFund.BudgetGrant[] memory grants = new IFund.BudgetGrant[](1);
            grants[0] = IFund.BudgetGrant({budgetId: _newBudgetId(), amount: 25_000 * (i + 1), expiry: 0});
            address sponsor = _sponsors[i % 2];
            _mustSucceed(Action.IssueBudgets, validator, abi.encodeCall(Fund.issueBudgets, (sponsor, grants)));
            _budgetIds.push(grants[0].budgetId);
            _budgets[grants[0].budgetId] = BudgetGhost(
                sponsor, address(0), ghostDefaultExpiry, false, grants[0].amount, 0, 0, 0, 0, 0, _genesis(grants[0].budgetId)
            );
            ghostReserveOf[sponsor] -= grants[0].amount;
            if (i < 2) {
                address holder = vm.addr(_holderKeys[i]);
                _mustSucceed(Action.SetHolder, validator, abi.encodeCall(Fund.setHolder, (grants[0].budgetId, holder)));
                _budgets[grants[0].budgetId].holder = holder;
            }
        }
    }

    // ================================================================ sponsors

    function deposit(uint256 sponsorSeed, uint256 amount, uint256 mode) public {
        address sponsor = _sponsors[sponsorSeed % _sponsors.length];
        mode = _mix(mode) % 8;
        amount = mode == 0 ? 0 : _bound(amount, 1, MAX_CENTS);
        bytes32 ref = mode == 1 ? _lastBankRef : _newBankRef(); // reuse: a transfer recorded twice

        bytes4 expected;
        if (amount == 0) expected = IFund.FundZeroAmount.selector;
        else if (mode == 1) expected = IFund.FundBankRefUsed.selector;

        (bool ok, bytes memory ret) = _callAs(sponsor, abi.encodeCall(Fund.deposit, (amount, ref)));
        if (_outcome(Action.Deposit, ok, ret, expected)) {
            ghostDeposited += amount;
            ghostReserveOf[sponsor] += amount;
            _lastBankRef = ref;
        }
    }

    function withdraw(uint256 sponsorSeed, uint256 amount, uint256 mode) public {
        address sponsor = _sponsors[sponsorSeed % _sponsors.length];
        uint256 reserve = ghostReserveOf[sponsor];
        mode = _mix(mode) % 8;
        bytes32 ref = mode == 2 ? _lastBankRef : _newBankRef();
        if (mode == 0) amount = 0;
        else if (mode == 1) amount = reserve + _bound(amount, 1, MAX_CENTS);
        else amount = _bound(amount, 1, _max(_min(reserve, MAX_CENTS), 1));

        bytes4 expected;
        if (ghostPaused) expected = Pausable.EnforcedPause.selector;
        else if (amount == 0) expected = IFund.FundZeroAmount.selector;
        else if (mode == 2) expected = IFund.FundBankRefUsed.selector;
        else if (amount > reserve) expected = IFund.FundReserveInsufficient.selector;

        (bool ok, bytes memory ret) = _callAs(sponsor, abi.encodeCall(Fund.withdraw, (amount, ref)));
        if (_outcome(Action.Withdraw, ok, ret, expected)) {
            ghostWithdrawn += amount;
            ghostReserveOf[sponsor] -= amount;
            _lastBankRef = ref;
        }
    }

    // ================================================================ validators

    /// @param mode 0: a sponsor without the role; 1: an id that exists; 2: the same id twice in the batch;
    /// 3: a zero amount; 4: an expiry in the past; 5: an expiry that does not fit in 32 bits; otherwise a
    /// valid batch (which the reserve may not cover, or whose default expiry may have passed).
    function issueBudgets(uint256 sponsorSeed, uint256 count, uint256 amountSeed, uint256 expirySeed, uint256 mode)
        public
    {
        count = 1 + count % 3;
        mode = _mix(mode) % 18;
        if (_budgetIds.length + count > MAX_BUDGETS && mode > 5) mode = 3; // keep the views' loops short
        address sponsor = mode == 0 ? stranger : _sponsors[sponsorSeed % _sponsors.length];

        IFund.BudgetGrant[] memory grants = new IFund.BudgetGrant[](count);
        for (uint256 i = 0; i < count; ++i) {
            bytes32 id = _newBudgetId();
            if (mode == 1 && i == 0 && _budgetIds.length > 0) id = _budgetIds[amountSeed % _budgetIds.length];
            if (mode == 2 && i == count - 1 && count > 1) id = grants[0].budgetId;
            uint256 amount = mode == 3 && i == 0 ? 0 : _bound(uint256(keccak256(abi.encode(amountSeed, i))), 1, MAX_GRANT);
            uint256 e = uint256(keccak256(abi.encode(expirySeed, i)));
            uint64 expiry = e % 3 == 0 ? 0 : uint64(block.timestamp + _bound(e >> 8, 1 hours, 400 days));
            if (mode == 4 && i == 0) expiry = uint64(_sub0(block.timestamp, (e >> 8) % 2)); // now or a second ago
            if (mode == 5 && i == count - 1) expiry = uint64(type(uint32).max) + uint64(1 + (e >> 8) % type(uint32).max);
            grants[i] = IFund.BudgetGrant({budgetId: id, amount: amount, expiry: expiry});
        }

        bytes4 expected = _expectedIssue(sponsor, grants);
        (bool ok, bytes memory ret) = _callAs(validator, abi.encodeCall(Fund.issueBudgets, (sponsor, grants)));
        if (_outcome(Action.IssueBudgets, ok, ret, expected)) {
            uint256 total;
            for (uint256 i = 0; i < count; ++i) {
                IFund.BudgetGrant memory grant = grants[i];
                _budgetIds.push(grant.budgetId);
                BudgetGhost storage b = _budgets[grant.budgetId];
                b.sponsor = sponsor;
                b.expiry = grant.expiry == 0 ? ghostDefaultExpiry : grant.expiry;
                b.issued = grant.amount;
                b.head = _genesis(grant.budgetId);
                total += grant.amount;
            }
            ghostReserveOf[sponsor] -= total;
        }
    }

    function _expectedIssue(address sponsor, IFund.BudgetGrant[] memory grants) internal view returns (bytes4) {
        if (ghostPaused) return Pausable.EnforcedPause.selector;
        if (sponsor != _sponsors[0] && sponsor != _sponsors[1]) return IFund.FundNotSponsor.selector;
        uint256 total;
        for (uint256 i = 0; i < grants.length; ++i) {
            IFund.BudgetGrant memory grant = grants[i];
            if (grant.amount == 0) return IFund.FundZeroAmount.selector;
            bool exists = grant.budgetId == bytes32(0) || _budgets[grant.budgetId].sponsor != address(0);
            for (uint256 j = 0; j < i; ++j) {
                if (grants[j].budgetId == grant.budgetId) exists = true;
            }
            if (exists) return IFund.BudgetExists.selector;
            uint64 expiry = grant.expiry == 0 ? ghostDefaultExpiry : grant.expiry;
            if (expiry <= block.timestamp) return IFund.FundExpiryInPast.selector;
            if (expiry > type(uint32).max) return SafeCast.SafeCastOverflowedUintDowncast.selector;
            total += grant.amount;
        }
        if (total > ghostReserveOf[sponsor]) return IFund.FundReserveInsufficient.selector;
        return bytes4(0);
    }

    /// @param mode 0: an unknown budget among them; 1: a zero amount; otherwise 1-3 existing budgets
    /// (possibly the same one twice).
    function topUp(uint256 idxSeed, uint256 count, uint256 amount, uint256 mode) public {
        uint256 n = _budgetIds.length;
        if (n == 0) return;
        count = 1 + count % 3;
        mode = _mix(mode) % 8;
        bytes32[] memory ids = new bytes32[](count);
        for (uint256 i = 0; i < count; ++i) {
            ids[i] = _budgetIds[uint256(keccak256(abi.encode(idxSeed, i))) % n];
        }
        if (mode == 0) ids[count - 1] = _newBudgetId();
        amount = mode == 1 ? 0 : _bound(amount, 1, MAX_GRANT);

        bytes4 expected = _expectedTopUp(ids, amount);
        (bool ok, bytes memory ret) = _callAs(validator, abi.encodeCall(Fund.topUp, (ids, amount)));
        if (_outcome(Action.TopUp, ok, ret, expected)) {
            for (uint256 i = 0; i < count; ++i) {
                BudgetGhost storage b = _budgets[ids[i]];
                b.issued += amount;
                ghostReserveOf[b.sponsor] -= amount;
            }
        }
    }

    function _expectedTopUp(bytes32[] memory ids, uint256 amount) internal view returns (bytes4) {
        if (ghostPaused) return Pausable.EnforcedPause.selector;
        if (amount == 0) return IFund.FundZeroAmount.selector;
        uint256[2] memory reserveLeft = [ghostReserveOf[_sponsors[0]], ghostReserveOf[_sponsors[1]]];
        for (uint256 i = 0; i < ids.length; ++i) {
            BudgetGhost storage b = _budgets[ids[i]];
            if (b.sponsor == address(0)) return IFund.BudgetUnknown.selector;
            if (block.timestamp >= b.expiry) return IFund.BudgetExpired.selector;
            uint256 s = b.sponsor == _sponsors[0] ? 0 : 1;
            if (amount > reserveLeft[s]) return IFund.FundReserveInsufficient.selector;
            reserveLeft[s] -= amount;
        }
        return bytes4(0);
    }

    /// @param mode 0: the zero address; 1: an unknown budget; 2: any budget (it may have a holder);
    /// otherwise a budget without a holder if there is one (activation).
    function setHolder(uint256 budgetSeed, uint256 keySeed, uint256 mode) public {
        if (_budgetIds.length == 0) return;
        mode = _mix(mode) % 8;
        bytes32 id = mode == 1 ? _newBudgetId() : _budgetIds[budgetSeed % _budgetIds.length];
        for (uint256 i = 0; mode > 2 && i < _budgetIds.length; ++i) {
            bytes32 candidate = _budgetIds[_nth(budgetSeed, i, _budgetIds.length)];
            if (_budgets[candidate].holder == address(0)) {
                id = candidate;
                break;
            }
        }
        address holder = mode == 0 ? address(0) : vm.addr(_holderKeys[keySeed % _holderKeys.length]);

        bytes4 expected;
        if (holder == address(0)) expected = IFund.FundZeroAddress.selector;
        else if (_budgets[id].sponsor == address(0)) expected = IFund.BudgetUnknown.selector;
        else if (_budgets[id].holder != address(0)) expected = IFund.BudgetHolderAlreadySet.selector;

        (bool ok, bytes memory ret) = _callAs(validator, abi.encodeCall(Fund.setHolder, (id, holder)));
        if (_outcome(Action.SetHolder, ok, ret, expected)) _budgets[id].holder = holder;
    }

    /// @param mode 0: the zero address; 1: an unknown budget; otherwise a family key (maybe the same one)
    /// for any budget (one without a holder is refused: it is activated with setHolder).
    function rekey(uint256 budgetSeed, uint256 keySeed, uint256 mode) public {
        if (_budgetIds.length == 0) return;
        mode = _mix(mode) % 8;
        bytes32 id = mode == 1 ? _newBudgetId() : _budgetIds[budgetSeed % _budgetIds.length];
        address holder = mode == 0 ? address(0) : vm.addr(_holderKeys[keySeed % _holderKeys.length]);

        bytes4 expected;
        if (holder == address(0)) expected = IFund.FundZeroAddress.selector;
        else if (_budgets[id].sponsor == address(0)) expected = IFund.BudgetUnknown.selector;
        else if (_budgets[id].holder == address(0)) expected = IFund.BudgetNotActivated.selector;

        (bool ok, bytes memory ret) = _callAs(validator, abi.encodeCall(Fund.rekey, (id, holder)));
        if (_outcome(Action.Rekey, ok, ret, expected)) {
            _budgets[id].holder = holder;
            _budgets[id].nonce += 1; // every permit of the old key (and of this key before) is dead
        }
    }

    function freeze(uint256 budgetSeed) public {
        if (_budgetIds.length == 0) return;
        bytes32 id = _budgetIds[budgetSeed % _budgetIds.length];
        bytes4 expected = _budgets[id].frozen ? IFund.BudgetFrozen.selector : bytes4(0);
        (bool ok, bytes memory ret) = _callAs(validator, abi.encodeCall(Fund.freeze, (id)));
        if (_outcome(Action.Freeze, ok, ret, expected)) _budgets[id].frozen = true;
    }

    /// @param mode 0: any budget (it may not be frozen); otherwise a frozen budget if there is one.
    function unfreeze(uint256 budgetSeed, uint256 mode) public {
        if (_budgetIds.length == 0) return;
        bytes32 id = _budgetIds[budgetSeed % _budgetIds.length];
        for (uint256 i = 0; _mix(mode) % 4 != 0 && i < _budgetIds.length; ++i) {
            bytes32 candidate = _budgetIds[_nth(budgetSeed, i, _budgetIds.length)];
            if (_budgets[candidate].frozen) {
                id = candidate;
                break;
            }
        }
        bytes4 expected = _budgets[id].frozen ? bytes4(0) : IFund.BudgetNotFrozen.selector;
        (bool ok, bytes memory ret) = _callAs(validator, abi.encodeCall(Fund.unfreeze, (id)));
        if (_outcome(Action.Unfreeze, ok, ret, expected)) _budgets[id].frozen = false;
    }

    /// @param mode 0: any budgets, no time warp (they may not have expired); 1: an unknown budget among
    /// them; 2: any budgets, after a warp just past the latest of their expiries; otherwise expired
    /// budgets where there are any (possibly the same one twice).
    function reclaim(uint256 idxSeed, uint256 count, uint256 warpSeed, uint256 mode) public {
        uint256 n = _budgetIds.length;
        if (n == 0) return;
        count = 1 + count % 3;
        mode = _mix(mode) % 6;
        bytes32[] memory ids = new bytes32[](count);
        uint256 latest;
        for (uint256 i = 0; i < count; ++i) {
            uint256 start = uint256(keccak256(abi.encode(idxSeed, i)));
            ids[i] = _budgetIds[start % n];
            for (uint256 j = 0; mode > 2 && j < n; ++j) {
                bytes32 candidate = _budgetIds[_nth(start, j, n)];
                if (_budgets[candidate].expiry <= block.timestamp) {
                    ids[i] = candidate;
                    break;
                }
            }
            latest = _max(latest, _budgets[ids[i]].expiry);
        }
        if (mode == 1) ids[0] = _newBudgetId();
        if (mode == 2 && latest > block.timestamp) vm.warp(latest + _bound(warpSeed, 0, 7 days));

        bytes4 expected;
        if (ghostPaused) {
            expected = Pausable.EnforcedPause.selector;
        } else {
            for (uint256 i = 0; i < count; ++i) {
                BudgetGhost storage b = _budgets[ids[i]];
                if (b.sponsor == address(0)) expected = IFund.BudgetUnknown.selector;
                else if (block.timestamp < b.expiry) expected = IFund.BudgetNotExpired.selector;
                if (expected != bytes4(0)) break;
            }
        }

        (bool ok, bytes memory ret) = _callAs(validator, abi.encodeCall(Fund.reclaim, (ids)));
        if (_outcome(Action.Reclaim, ok, ret, expected)) {
            for (uint256 i = 0; i < count; ++i) {
                BudgetGhost storage b = _budgets[ids[i]];
                uint256 left = _ghostBalance(b);
                b.reclaimed += left;
                ghostReserveOf[b.sponsor] += left;
            }
        }
    }

    // ================================================================ merchants

    /// @param mode 0: the zero address; otherwise one of the shops.
    function approveMerchant(uint256 merchantSeed, uint32 categories, uint256 mode) public {
        address merchant = _mix(mode) % 8 == 0 ? address(0) : _merchants[merchantSeed % _merchants.length];
        bytes4 expected = merchant == address(0) ? IFund.FundZeroAddress.selector : bytes4(0);
        (bool ok, bytes memory ret) =
            _callAs(merchantManager, abi.encodeCall(Fund.approveMerchant, (merchant, categories)));
        if (_outcome(Action.ApproveMerchant, ok, ret, expected)) {
            _merchantGhosts[merchant].status = 1;
            _merchantGhosts[merchant].categories = categories;
        }
    }

    function suspendMerchant(uint256 merchantSeed) public {
        address merchant = _merchants[merchantSeed % _merchants.length];
        bytes4 expected = _merchantGhosts[merchant].status == 1 ? bytes4(0) : IFund.MerchantNotApproved.selector;
        (bool ok, bytes memory ret) = _callAs(merchantManager, abi.encodeCall(Fund.suspendMerchant, (merchant)));
        if (_outcome(Action.SuspendMerchant, ok, ret, expected)) _merchantGhosts[merchant].status = 2;
    }

    // ================================================================ payments

    struct PayCase {
        bytes32 budgetId;
        address merchant;
        uint256 amount;
        uint256 mode;
        uint256 signerKey;
        bool validSignature; // signed by the holder's key over this fund's digest of this permit
        IFund.PaymentPermit permit;
        bytes signature;
    }

    /// @notice A family's device key signs a permit (EIP-712, vm.sign over fund.permitDigest) and a
    /// relayer submits it.
    /// @param mode 0-5: a valid permit, 65-byte signature; 6: valid, 64-byte EIP-2098 signature;
    /// 7: signed by another family key; 8: a used or future nonce (a replay); 9: deadline passed;
    /// 10: amount above maxAmount; 11: a permit for the other fund; 12: a corrupted signature;
    /// 13: signed over the other fund's domain; 14: zero amount; 15: amount above the balance;
    /// 16: an unknown budget.
    function pay(uint256 budgetSeed, uint256 merchantSeed, uint256 amount, uint256 mode, uint256 permitSeed) public {
        if (_budgetIds.length == 0 || _payments.length >= MAX_PAYMENTS) return;
        PayCase memory c;
        c.mode = _mix(mode) % 17;
        permitSeed = _mix(permitSeed);
        c.budgetId = c.mode == 16 ? _newBudgetId() : _budgetIds[budgetSeed % _budgetIds.length];
        c.merchant = _merchants[merchantSeed % _merchants.length];
        if (c.mode != 16 && (permitSeed >> 240) % 8 != 0) {
            // Mostly a budget and shop the payment can succeed with, so the refusal a bad mode
            // aims at is the one the fund gives; otherwise any (frozen, expired, not activated...).
            (c.budgetId, c.merchant) = _payableBudgetAndMerchant(budgetSeed, merchantSeed, c.budgetId, c.merchant);
        }
        BudgetGhost storage b = _budgets[c.budgetId];
        uint256 balance = _ghostBalance(b);

        if (c.mode == 14) c.amount = 0;
        else if (c.mode == 15) c.amount = balance + _bound(amount, 1, MAX_GRANT);
        else c.amount = _bound(amount, 1, _max(balance, 1)); // 1 > balance when the budget is empty

        c.permit = IFund.PaymentPermit({
            fund: c.mode == 11 ? address(otherFund) : address(fund),
            budgetId: c.budgetId,
            maxAmount: c.mode == 10 ? c.amount - 1 : c.amount + (permitSeed >> 128) % 100_000,
            nonce: b.nonce,
            deadline: block.timestamp + (permitSeed % 2 days)
        });
        if (c.mode == 8) c.permit.nonce = b.nonce > 0 && permitSeed % 2 == 0 ? b.nonce - 1 : b.nonce + 1;
        if (c.mode == 9) c.permit.deadline = _sub0(block.timestamp, 1 + permitSeed % 1 days);

        _signPermit(c, b.holder, permitSeed);
        bytes4 expected = _expectedPay(c, b, balance);

        (bool ok, bytes memory ret) =
            _callAs(relayer, abi.encodeCall(Fund.pay, (c.permit, c.signature, c.merchant, c.amount)));
        if (_outcome(Action.Pay, ok, ret, expected)) {
            bytes32 paymentId = abi.decode(ret, (bytes32));
            if (paymentId != keccak256(abi.encode(c.budgetId, b.nonce))) {
                revert UnexpectedOutcome(Action.Pay, bytes4(0), ret);
            }
            _paymentsOf[c.budgetId].push(_payments.length);
            _payments.push(
                PaymentGhost({budgetId: c.budgetId, nonce: b.nonce, merchant: c.merchant, amount: c.amount, refunded: 0})
            );
            b.head = _link(b.head, c.merchant, c.amount, b.nonce);
            b.nonce += 1;
            b.payments += 1;
            b.paid += c.amount;
            _merchantGhosts[c.merchant].received += c.amount;
        }
    }

    function _payableBudgetAndMerchant(uint256 budgetSeed, uint256 merchantSeed, bytes32 id, address merchant)
        internal
        view
        returns (bytes32, address)
    {
        for (uint256 i = 0; i < _budgetIds.length; ++i) {
            bytes32 candidate = _budgetIds[_nth(budgetSeed, i, _budgetIds.length)];
            BudgetGhost storage b = _budgets[candidate];
            if (b.holder != address(0) && !b.frozen && block.timestamp < b.expiry && _ghostBalance(b) > 0) {
                id = candidate;
                break;
            }
        }
        for (uint256 i = 0; i < _merchants.length; ++i) {
            address candidate = _merchants[_nth(merchantSeed, i, _merchants.length)];
            if (_merchantGhosts[candidate].status == 1) {
                merchant = candidate;
                break;
            }
        }
        return (id, merchant);
    }

    function _signPermit(PayCase memory c, address holder, uint256 permitSeed) internal view {
        // The holder's key, or (for unactivated budgets) any family key.
        uint256 holderKey = holder != address(0) ? _keyOf[holder] : _holderKeys[permitSeed % _holderKeys.length];
        c.signerKey = holderKey;
        if (c.mode == 7) {
            uint256 k = (permitSeed % (_holderKeys.length - 1)) + 1;
            for (uint256 i = 0; i < _holderKeys.length; ++i) {
                if (_holderKeys[i] == holderKey) c.signerKey = _holderKeys[_nth(i, k, _holderKeys.length)];
            }
        }
        bytes32 digest = c.mode == 13 ? otherFund.permitDigest(c.permit) : fund.permitDigest(c.permit);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(c.signerKey, digest);
        if (c.mode == 6) {
            bytes32 vs = bytes32(uint256(s) | (uint256(v - 27) << 255)); // EIP-2098
            c.signature = abi.encodePacked(r, vs);
        } else {
            c.signature = abi.encodePacked(r, s, v);
        }
        if (c.mode == 12) c.signature[(permitSeed >> 64) % 65] ^= bytes1(uint8(1 + (permitSeed >> 96) % 255));
        c.validSignature = holder != address(0) && vm.addr(c.signerKey) == holder && c.mode != 12 && c.mode != 13;
    }

    /// @dev The fund's checks, in the fund's order.
    function _expectedPay(PayCase memory c, BudgetGhost storage b, uint256 balance) internal view returns (bytes4) {
        if (ghostPaused) return Pausable.EnforcedPause.selector;
        if (c.amount == 0) return IFund.FundZeroAmount.selector;
        if (c.permit.fund != address(fund)) return IFund.PermitWrongFund.selector;
        if (b.sponsor == address(0)) return IFund.BudgetUnknown.selector;
        if (b.frozen) return IFund.BudgetFrozen.selector;
        if (block.timestamp >= b.expiry) return IFund.BudgetExpired.selector;
        if (b.holder == address(0)) return IFund.BudgetNotActivated.selector;
        if (block.timestamp > c.permit.deadline) return IFund.PermitExpired.selector;
        if (!c.validSignature) return IFund.PermitInvalidSigner.selector; // the signer before the nonce
        if (c.permit.nonce != b.nonce) return IFund.PermitNonceUsed.selector;
        if (_merchantGhosts[c.merchant].status != 1) return IFund.MerchantNotApproved.selector;
        if (c.amount > c.permit.maxAmount) return IFund.PermitAmountExceeded.selector;
        if (c.amount > balance) return IFund.BudgetInsufficient.selector;
        return bytes4(0);
    }

    /// @notice The operator returns (part of) a payment that happened, proven by the links from that
    /// payment to the budget's head (built here from the handler's own record of the payments).
    /// @param mode 0: zero amount; 1: more than is left of the payment; 2: one link forged (merchant,
    /// amount or nonce changed); 3: a stale proof (the budget's latest payment left out); 4: the proof
    /// sent for an unknown budget; 5: the proof sent for another budget; 6: an empty proof; 7: any payment,
    /// up to what is left of it and what the fund owes the merchant (which may be 0); otherwise the same
    /// for a payment with something left to refund, if there is one.
    function refund(uint256 paymentSeed, uint256 amount, uint256 mode) public {
        if (_payments.length == 0) return;
        mode = _mix(mode) % 12;
        uint256 index = paymentSeed % _payments.length;
        for (uint256 i = 0; mode > 7 && i < _payments.length; ++i) {
            // mostly a payment with something left to refund, to a merchant still owed something
            PaymentGhost storage candidate = _payments[_nth(paymentSeed, i, _payments.length)];
            MerchantGhost storage cm = _merchantGhosts[candidate.merchant];
            if (candidate.amount > candidate.refunded && cm.received > cm.refunded + cm.settled) {
                index = _nth(paymentSeed, i, _payments.length);
                break;
            }
        }
        PaymentGhost storage p = _payments[index];
        MerchantGhost storage m = _merchantGhosts[p.merchant];
        uint256 refundable = p.amount - p.refunded;
        uint256 receivable = m.received - m.refunded - m.settled;
        if (mode == 0) amount = 0;
        else if (mode == 1) amount = refundable + _bound(amount, 1, MAX_GRANT);
        else amount = _bound(amount, 1, _max(_min(refundable, receivable), 1));

        RefundCase memory c;
        (c.headBefore, c.links) = _proof(p.budgetId, index);
        c.budgetId = p.budgetId;
        c.amount = amount;
        c.proofValid = _spoil(c, mode, paymentSeed, p.budgetId);

        bytes4 expected;
        if (ghostPaused) expected = Pausable.EnforcedPause.selector;
        else if (amount == 0) expected = IFund.FundZeroAmount.selector;
        else if (_budgets[c.budgetId].sponsor == address(0)) expected = IFund.BudgetUnknown.selector;
        else if (!c.proofValid) expected = IFund.PaymentProofInvalid.selector;
        else if (amount > refundable) expected = IFund.PaymentRefundExceeded.selector;
        else if (amount > receivable) expected = IFund.MerchantReceivableInsufficient.selector;

        (bool ok, bytes memory ret) =
            _callAs(operator, abi.encodeCall(Fund.refund, (c.budgetId, c.amount, c.headBefore, c.links)));
        if (_outcome(Action.Refund, ok, ret, expected)) {
            p.refunded += amount;
            _budgets[p.budgetId].refunded += amount;
            m.refunded += amount;
        }
    }

    struct RefundCase {
        bytes32 budgetId;
        uint256 amount;
        bytes32 headBefore;
        IFund.PaymentLink[] links;
        bool proofValid;
    }

    /// @dev Spoils the genuine proof in `c` as `mode` says (see {refund}); returns whether it is still valid.
    function _spoil(RefundCase memory c, uint256 mode, uint256 paymentSeed, bytes32 paymentBudget) internal returns (bool) {
        if (mode == 2) {
            IFund.PaymentLink memory link = c.links[paymentSeed % c.links.length];
            uint256 field = (paymentSeed >> 128) % 3;
            if (field == 0) link.merchant = address(uint160(link.merchant) ^ uint160(1 + c.amount % 255));
            else if (field == 1) link.amount += 1 + c.amount % 1000;
            else link.nonce += 1 + c.amount % 3;
            return false;
        }
        if (mode == 3) {
            IFund.PaymentLink[] memory links = c.links;
            assembly {
                mstore(links, sub(mload(links), 1)) // drop the latest payment: as if it landed after building
            }
            return false;
        }
        if (mode == 4) c.budgetId = _newBudgetId();
        if (mode == 5) c.budgetId = _budgetIds[paymentSeed % _budgetIds.length];
        if (mode == 6) {
            c.links = new IFund.PaymentLink[](0);
            return false;
        }
        return c.budgetId == paymentBudget;
    }

    /// @dev The refund proof of payment `index`: the head before it, and it and every later payment of its
    /// budget, from the handler's record (not from the fund).
    function _proof(bytes32 budgetId, uint256 index)
        internal
        view
        returns (bytes32 headBefore, IFund.PaymentLink[] memory links)
    {
        uint256[] storage all = _paymentsOf[budgetId];
        uint256 position;
        while (all[position] != index) ++position;
        headBefore = _genesis(budgetId);
        for (uint256 i = 0; i < position; ++i) {
            PaymentGhost storage earlier = _payments[all[i]];
            headBefore = _link(headBefore, earlier.merchant, earlier.amount, earlier.nonce);
        }
        links = new IFund.PaymentLink[](all.length - position);
        for (uint256 i = position; i < all.length; ++i) {
            PaymentGhost storage q = _payments[all[i]];
            links[i - position] = IFund.PaymentLink({merchant: q.merchant, amount: q.amount, nonce: q.nonce});
        }
    }

    /// @notice The settler records a bank transfer to a merchant, each under a new bank reference.
    /// @param mode 0: zero amount; 1: a bank reference used before; 2: more than the receivable;
    /// 3: any shop, up to its receivable (maybe 0); otherwise a shop that is owed something, if any.
    function settle(uint256 merchantSeed, uint256 amount, uint256 mode) public {
        mode = _mix(mode) % 8;
        address merchant = _merchants[merchantSeed % _merchants.length];
        for (uint256 i = 0; mode > 3 && i < _merchants.length; ++i) {
            address candidate = _merchants[_nth(merchantSeed, i, _merchants.length)];
            MerchantGhost storage cm = _merchantGhosts[candidate];
            if (cm.received > cm.refunded + cm.settled) {
                merchant = candidate;
                break;
            }
        }
        MerchantGhost storage m = _merchantGhosts[merchant];
        uint256 receivable = m.received - m.refunded - m.settled;
        bytes32 ref = mode == 1 ? _lastBankRef : _newBankRef();
        if (mode == 0) amount = 0;
        else if (mode == 2) amount = receivable + _bound(amount, 1, MAX_GRANT);
        else amount = _bound(amount, 1, _max(receivable, 1));

        bytes4 expected;
        if (amount == 0) expected = IFund.FundZeroAmount.selector;
        else if (mode == 1) expected = IFund.FundBankRefUsed.selector;
        else if (amount > receivable) expected = IFund.MerchantReceivableInsufficient.selector;

        (bool ok, bytes memory ret) = _callAs(settler, abi.encodeCall(Fund.settle, (merchant, amount, ref)));
        if (_outcome(Action.Settle, ok, ret, expected)) {
            m.settled += amount;
            ghostSettled += amount;
            _lastBankRef = ref;
        }
    }

    // ================================================================ admin, time, strangers

    /// @param mode acts one time in three (a pause, or a refused second pause), so that runs are not
    /// paused most of the time.
    function pause(uint256 mode) public {
        if (_mix(mode) % 3 != 0) return;
        bytes4 expected = ghostPaused ? Pausable.EnforcedPause.selector : bytes4(0);
        (bool ok, bytes memory ret) = _callAs(pauser, abi.encodeCall(Fund.pause, ()));
        if (_outcome(Action.Pause, ok, ret, expected)) ghostPaused = true;
    }

    function unpause() public {
        bytes4 expected = ghostPaused ? bytes4(0) : Pausable.ExpectedPause.selector;
        (bool ok, bytes memory ret) = _callAs(pauser, abi.encodeCall(Fund.unpause, ()));
        if (_outcome(Action.Unpause, ok, ret, expected)) ghostPaused = false;
    }

    /// @param mode 0: an expiry not in the future; 1: one that does not fit in 32 bits; otherwise 1 day to
    /// 400 days ahead (budgets with expiry 0 are refused once it has passed).
    function setDefaultBudgetExpiry(uint256 seconds_, uint256 mode) public {
        mode = _mix(mode) % 8;
        uint64 expiry = uint64(block.timestamp + _bound(seconds_, 1 days, 400 days));
        if (mode == 0) expiry = uint64(_sub0(block.timestamp, _bound(seconds_, 0, 1 days)));
        if (mode == 1) expiry = uint64(type(uint32).max) + uint64(_bound(seconds_, 1, type(uint32).max));

        bytes4 expected;
        if (expiry <= block.timestamp) expected = IFund.FundExpiryInPast.selector;
        else if (expiry > type(uint32).max) expected = SafeCast.SafeCastOverflowedUintDowncast.selector;

        (bool ok, bytes memory ret) = _callAs(admin, abi.encodeCall(Fund.setDefaultBudgetExpiry, (expiry)));
        if (_outcome(Action.SetDefaultExpiry, ok, ret, expected)) ghostDefaultExpiry = expiry;
    }

    function warp(uint256 seconds_) public {
        vm.warp(block.timestamp + _bound(seconds_, 1, 30 days));
        _ok[uint256(Action.Warp)] += 1;
    }

    /// @notice A stranger calls a role-guarded function: always refused, whatever the arguments.
    function strangerCalls(uint256 which, uint256 amount) public {
        bytes32 id = _budgetIds.length > 0 ? _budgetIds[amount % _budgetIds.length] : bytes32(0);
        bytes32[] memory ids = new bytes32[](1);
        ids[0] = id;
        bytes[16] memory calls = [
            abi.encodeCall(Fund.deposit, (_bound(amount, 1, MAX_CENTS), _newBankRef())),
            abi.encodeCall(Fund.withdraw, (_bound(amount, 1, MAX_CENTS), _newBankRef())),
            abi.encodeCall(Fund.issueBudgets, (_sponsors[0], new IFund.BudgetGrant[](0))),
            abi.encodeCall(Fund.topUp, (ids, _bound(amount, 1, MAX_CENTS))),
            abi.encodeCall(Fund.setHolder, (id, stranger)),
            abi.encodeCall(Fund.rekey, (id, stranger)),
            abi.encodeCall(Fund.freeze, (id)),
            abi.encodeCall(Fund.unfreeze, (id)),
            abi.encodeCall(Fund.reclaim, (ids)),
            abi.encodeCall(Fund.approveMerchant, (stranger, 1)),
            abi.encodeCall(Fund.suspendMerchant, (_merchants[0])),
            abi.encodeCall(Fund.refund, (id, _bound(amount, 1, MAX_CENTS), bytes32(0), new IFund.PaymentLink[](0))),
            abi.encodeCall(Fund.settle, (_merchants[0], _bound(amount, 1, MAX_CENTS), _newBankRef())),
            abi.encodeCall(Fund.pause, ()),
            abi.encodeCall(Fund.unpause, ()),
            abi.encodeCall(Fund.setDefaultBudgetExpiry, (uint64(block.timestamp + 1 days)))
        ];
        (bool ok, bytes memory ret) = _callAs(stranger, calls[which % calls.length]);
        _outcome(Action.Stranger, ok, ret, IAccessControl.AccessControlUnauthorizedAccount.selector);
    }

    // ================================================================ views for the invariant test

    function sponsors() external view returns (address[] memory) {
        return _sponsors;
    }

    function merchants() external view returns (address[] memory) {
        return _merchants;
    }

    function budgetIds() external view returns (bytes32[] memory) {
        return _budgetIds;
    }

    function budgetGhost(bytes32 budgetId) external view returns (BudgetGhost memory) {
        return _budgets[budgetId];
    }

    function merchantGhost(address merchant) external view returns (MerchantGhost memory) {
        return _merchantGhosts[merchant];
    }

    function payments() external view returns (PaymentGhost[] memory) {
        return _payments;
    }

    /// @notice Per action: calls the fund accepted and calls it refused (as the model expected).
    function callCounts() external view returns (uint256[19] memory ok, uint256[19] memory refused) {
        return (_ok, _refused);
    }

    // ================================================================ internals

    function _callAs(address who, bytes memory data) internal returns (bool ok, bytes memory ret) {
        vm.prank(who);
        (ok, ret) = address(fund).call(data);
    }

    function _mustSucceed(Action action, address who, bytes memory data) internal {
        (bool ok, bytes memory ret) = _callAs(who, data);
        _outcome(action, ok, ret, bytes4(0));
    }

    /// @dev Checks the outcome against the model's `expected` error (0: must succeed); returns success.
    function _outcome(Action action, bool ok, bytes memory ret, bytes4 expected) internal returns (bool) {
        bytes4 actual;
        if (!ok && ret.length >= 4) {
            assembly {
                actual := mload(add(ret, 32))
            }
        }
        if (ok != (expected == bytes4(0)) || (!ok && actual != expected)) {
            revert UnexpectedOutcome(action, expected, ret);
        }
        if (ok) _ok[uint256(action)] += 1;
        else _refused[uint256(action)] += 1;
        return ok;
    }

    /// @dev The payment-chain encoding as the fund documents it, written out here independently.
    /// @dev The fund keeps a payment-chain head as a hash's first 20 bytes.
    function _genesis(bytes32 budgetId) internal pure returns (bytes32) {
        return bytes20(keccak256(abi.encode(budgetId)));
    }

    function _link(bytes32 head, address merchant, uint256 amount, uint256 nonce) internal pure returns (bytes32) {
        return bytes20(keccak256(abi.encode(head, merchant, amount, nonce)));
    }

    function _ghostBalance(BudgetGhost storage b) internal view returns (uint256) {
        return b.issued + b.refunded - b.reclaimed - b.paid;
    }

    function _newBudgetId() internal returns (bytes32) {
        return keccak256(abi.encode("tegoed.budget", address(this), ++_salt));
    }

    function _newBankRef() internal returns (bytes32) {
        return keccak256(abi.encode("tegoed.bank-ref", ++_salt));
    }

    function _actor(string memory label) internal pure returns (address) {
        return address(uint160(uint256(keccak256(abi.encode("tegoed.actor", label)))));
    }

    /// @dev forge-std's bound without its console log (which costs time in 200k calls).
    function _bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        return lo + x % (hi - lo + 1);
    }

    /// @dev The `i`-th index after `start`, wrapping around a list of `n` (no overflow for any seed).
    function _nth(uint256 start, uint256 i, uint256 n) internal pure returns (uint256) {
        return (start % n + i) % n;
    }

    /// @dev Spreads a fuzzed choice evenly: the fuzzer favours small and edge values, which would
    /// otherwise pick the same `% n` branch again and again.
    function _mix(uint256 x) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(x, "tegoed.mix")));
    }

    function _sub0(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a - b : 0;
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }
}
