// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {StdInvariant} from "forge-std/StdInvariant.sol";
import {Fund} from "../../contracts/Fund.sol";
import {FundFactory} from "../../contracts/FundFactory.sol";
import {IFund} from "../../contracts/IFund.sol";
import {FundHandler} from "./FundHandler.sol";

/// @title FundInvariantTest
/// @notice Random call sequences over every state-changing function of a {Fund} made by the factory (through
/// {FundHandler}); after every call the fund's money must add up, counted from the per-budget and
/// per-merchant views, and every view must agree with the handler's ghost bookkeeping.
///
/// There is one invariant function on purpose: the runner fuzzes each `invariant_` function in its own
/// campaign of runs x depth calls, so splitting the checks would multiply the run time.
contract FundInvariantTest is Test {
    FundFactory internal factory;
    Fund internal fund;
    FundHandler internal handler;

    function setUp() public {
        address admin = makeAddr("municipality");
        factory = new FundFactory(admin);
        vm.startPrank(admin);
        fund = Fund(factory.createFund(admin, "Kindpakket 2027", "EUR", uint64(block.timestamp + 365 days)));
        Fund otherFund = Fund(factory.createFund(admin, "Kindpakket 2028", "EUR", uint64(block.timestamp + 730 days)));
        vm.stopPrank();
        assertTrue(factory.isFund(address(fund)));
        assertEq(keccak256(address(fund).code), keccak256(factory.implementation().code), "the implementation's own code");

        handler = new FundHandler(fund, otherFund, admin);
        (address[] memory sponsors, address validator, address merchantManager, address settler, address operator, address pauser) =
            handler.roleHolders();
        vm.startPrank(admin);
        for (uint256 i = 0; i < sponsors.length; ++i) {
            fund.grantRole(fund.SPONSOR_ROLE(), sponsors[i]);
        }
        fund.grantRole(fund.VALIDATOR_ROLE(), validator);
        fund.grantRole(fund.MERCHANT_MANAGER_ROLE(), merchantManager);
        fund.grantRole(fund.SETTLER_ROLE(), settler);
        fund.grantRole(fund.OPERATOR_ROLE(), operator);
        fund.grantRole(fund.PAUSER_ROLE(), pauser);
        vm.stopPrank();
        handler.seed();

        // Every action once; the money flows (pay, refund, settle) and unpause once or twice more, since
        // the fuzzer picks uniformly from this list: about three pay attempts per run of 20 calls.
        bytes4[] memory selectors = new bytes4[](24);
        selectors[0] = FundHandler.deposit.selector;
        selectors[1] = FundHandler.withdraw.selector;
        selectors[2] = FundHandler.issueBudgets.selector;
        selectors[3] = FundHandler.topUp.selector;
        selectors[4] = FundHandler.setHolder.selector;
        selectors[5] = FundHandler.rekey.selector;
        selectors[6] = FundHandler.freeze.selector;
        selectors[7] = FundHandler.unfreeze.selector;
        selectors[8] = FundHandler.approveMerchant.selector;
        selectors[9] = FundHandler.suspendMerchant.selector;
        selectors[10] = FundHandler.pay.selector;
        selectors[11] = FundHandler.refund.selector;
        selectors[12] = FundHandler.settle.selector;
        selectors[13] = FundHandler.reclaim.selector;
        selectors[14] = FundHandler.pause.selector;
        selectors[15] = FundHandler.unpause.selector;
        selectors[16] = FundHandler.setDefaultBudgetExpiry.selector;
        selectors[17] = FundHandler.warp.selector;
        selectors[18] = FundHandler.strangerCalls.selector;
        selectors[19] = FundHandler.pay.selector;
        selectors[20] = FundHandler.pay.selector;
        selectors[21] = FundHandler.refund.selector;
        selectors[22] = FundHandler.settle.selector;
        selectors[23] = FundHandler.unpause.selector;
        targetContract(address(handler));
        targetSelector(StdInvariant.FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @notice deposited − withdrawn == Σ reserveOf + Σ budget balances + Σ receivables + Σ paid out, with
    /// every term summed from the per-sponsor, per-budget and per-merchant views; totals() and every view
    /// agree with the ghost bookkeeping; no budget holds more than was issued to it; no payment is
    /// refunded beyond its amount. (Unexpected acceptances or refusals fail inside the handler.)
    /// hardhat-config: invariant.runs = 10000
    /// hardhat-config: invariant.depth = 20
    /// hardhat-config: invariant.failOnRevert = true
    function invariant_centsAreConservedAndViewsAgree() public view {
        uint256 sumReserve = _checkSponsors();
        (uint256 sumBalances, uint256 sumSpent) = _checkBudgets();
        (uint256 sumReceivable, uint256 sumPaidOut) = _checkMerchants();
        _checkPayments();

        uint256 deposited = handler.ghostDeposited();
        uint256 withdrawn = handler.ghostWithdrawn();
        // The money model, from the per-item views only.
        assertEq(deposited - withdrawn, sumReserve + sumBalances + sumReceivable + sumPaidOut, "cents created or lost");

        // totals() agrees with the sums and with the ghosts.
        IFund.Totals memory t = fund.totals();
        assertEq(t.deposited, deposited, "totals.deposited");
        assertEq(t.withdrawn, withdrawn, "totals.withdrawn");
        assertEq(t.reserve, sumReserve, "totals.reserve != sum of reserveOf");
        assertEq(t.outstanding, sumBalances + sumReceivable, "totals.outstanding != budgets + receivables");
        assertEq(t.paidOut, sumPaidOut, "totals.paidOut != sum of merchants' paidOut");
        assertEq(t.paidOut, handler.ghostSettled(), "totals.paidOut != settled");
        assertEq(t.deposited - t.withdrawn, t.reserve + t.outstanding + t.paidOut, "totals do not add up");

        // What left the budgets went to merchants: Σ spent == Σ receivables + Σ paid out.
        assertEq(sumSpent, sumReceivable + sumPaidOut, "spent != receivables + paid out");

        assertEq(fund.paused(), handler.ghostPaused(), "paused");
        assertEq(fund.defaultBudgetExpiry(), handler.ghostDefaultExpiry(), "defaultBudgetExpiry");
    }

    function _checkSponsors() internal view returns (uint256 sumReserve) {
        address[] memory sponsors = handler.sponsors();
        for (uint256 i = 0; i < sponsors.length; ++i) {
            uint256 reserve = fund.reserveOf(sponsors[i]);
            assertEq(reserve, handler.ghostReserveOf(sponsors[i]), "reserveOf != ghost");
            sumReserve += reserve;
        }
        assertEq(fund.reserveOf(handler.stranger()), 0, "a stranger has a reserve");
    }

    function _checkBudgets() internal view returns (uint256 sumBalances, uint256 sumSpent) {
        bytes32[] memory ids = handler.budgetIds();
        for (uint256 i = 0; i < ids.length; ++i) {
            IFund.BudgetView memory v = fund.budgetOf(ids[i]);
            FundHandler.BudgetGhost memory g = handler.budgetGhost(ids[i]);
            assertLe(v.balance, g.issued, "budget holds more than was issued to it");
            assertEq(v.balance, g.issued + g.refunded - g.reclaimed - g.paid, "budget balance != ghost");
            // spent == allocated - balance, where allocated is what was issued and not reclaimed
            assertEq(v.spent, g.paid - g.refunded, "budget spent != net payments");
            assertEq(v.spent + v.balance, g.issued - g.reclaimed, "spent != allocated - balance");
            assertEq(fund.balanceOf(ids[i]), v.balance, "balanceOf != budgetOf.balance");
            assertEq(v.sponsor, g.sponsor, "budget sponsor");
            assertEq(v.holder, g.holder, "budget holder");
            assertEq(v.expiry, g.expiry, "budget expiry");
            assertEq(v.frozen, g.frozen, "budget frozen");
            assertEq(uint256(v.nonce), g.nonce, "budget nonce != payments + rekeys");
            assertGe(g.nonce, g.payments, "fewer nonces than payments");
            // The fund's chain head is the one the handler folds from the payments it saw accepted.
            assertEq(fund.paymentsHeadOf(ids[i]), g.head, "payments head != ghost");
            sumBalances += v.balance;
            sumSpent += v.spent;
        }
    }

    function _checkMerchants() internal view returns (uint256 sumReceivable, uint256 sumPaidOut) {
        address[] memory merchants = handler.merchants();
        for (uint256 i = 0; i < merchants.length; ++i) {
            IFund.MerchantView memory v = fund.merchantOf(merchants[i]);
            FundHandler.MerchantGhost memory g = handler.merchantGhost(merchants[i]);
            assertEq(v.receivable, g.received - g.refunded - g.settled, "receivable != ghost");
            assertEq(v.paidOut, g.settled, "paidOut != ghost");
            assertEq(fund.receivableOf(merchants[i]), v.receivable, "receivableOf != merchantOf.receivable");
            assertEq(v.approved, g.status == 1, "merchant approved");
            assertEq(v.suspended, g.status == 2, "merchant suspended");
            assertEq(v.categories, g.categories, "merchant categories");
            sumReceivable += v.receivable;
            sumPaidOut += v.paidOut;
        }
    }

    function _checkPayments() internal view {
        FundHandler.PaymentGhost[] memory ps = handler.payments();
        for (uint256 i = 0; i < ps.length; ++i) {
            uint256 refunded = fund.refundedOf(fund.paymentIdOf(ps[i].budgetId, ps[i].nonce));
            assertLe(refunded, ps[i].amount, "payment refunded above its amount");
            assertEq(refunded, ps[i].refunded, "payment refunded != ghost");
        }
    }
}
