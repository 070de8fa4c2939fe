// SPDX-License-Identifier: EUPL-1.2
pragma solidity ^0.8.28;

import {Test} from "forge-std/Test.sol";
import {Fund} from "../../contracts/Fund.sol";
import {FundFactory} from "../../contracts/FundFactory.sol";
import {IFund} from "../../contracts/IFund.sol";

/// @title FundFuzzTest
/// @notice Property tests of single payments on a {Fund} made by the factory: refunds never create cents, a payment
/// above the balance or the permit's ceiling is always refused, only the holder's signature pays.
contract FundFuzzTest is Test {
    uint256 internal constant MAX_CENTS = 10_000_000;

    Fund internal fund;
    address internal admin = makeAddr("municipality");
    address internal sponsor = makeAddr("sponsor");
    address internal validator = makeAddr("validator");
    address internal settler = makeAddr("settler");
    address internal operator = makeAddr("operator");
    address internal shop = makeAddr("shop");
    address internal relayer = makeAddr("relayer");
    uint256 internal familyKey = uint256(keccak256("tegoed.fuzz.family"));
    address internal family = vm.addr(familyKey);
    bytes32 internal budgetId = keccak256("tegoed.fuzz.budget");

    function setUp() public {
        FundFactory factory = new FundFactory(admin);
        vm.startPrank(admin);
        fund = Fund(factory.createFund(admin, "Kindpakket 2027", "EUR", uint64(block.timestamp + 365 days)));
        fund.grantRole(fund.SPONSOR_ROLE(), sponsor);
        fund.grantRole(fund.VALIDATOR_ROLE(), validator);
        fund.grantRole(fund.MERCHANT_MANAGER_ROLE(), admin);
        fund.grantRole(fund.SETTLER_ROLE(), settler);
        fund.grantRole(fund.OPERATOR_ROLE(), operator);
        fund.approveMerchant(shop, 1);
        vm.stopPrank();
    }

    /// @notice Pay, settle part, then refund any two amounts: a refund is accepted exactly when it fits in
    /// what is left of the payment and in the shop's receivable, and the cents always add up.
    /// hardhat-config: fuzz.runs = 3000
    function testFuzz_payThenRefundNeverCreatesCents(
        uint256 issued,
        uint256 paid,
        uint256 settled,
        uint256 refund1,
        uint256 refund2
    ) public {
        issued = bound(issued, 1, MAX_CENTS);
        paid = bound(paid, 1, issued);
        settled = bound(settled, 0, paid);
        _issue(issued);
        _pay(paid, paid);
        if (settled > 0) {
            vm.prank(settler);
            fund.settle(shop, settled, keccak256("bank-ref-1"));
        }

        uint256 refunded;
        uint256[2] memory asks = [bound(refund1, 0, 2 * paid), bound(refund2, 0, 2 * paid)];
        for (uint256 i = 0; i < 2; ++i) {
            uint256 ask = asks[i];
            uint256 refundable = paid - refunded;
            uint256 receivable = fund.receivableOf(shop);
            bytes32 paymentId = fund.paymentIdOf(budgetId, 0);
            vm.prank(operator);
            if (ask == 0) {
                vm.expectRevert(IFund.FundZeroAmount.selector);
            } else if (ask > refundable) {
                vm.expectRevert(abi.encodeWithSelector(IFund.PaymentRefundExceeded.selector, paymentId, refundable, ask));
            } else if (ask > receivable) {
                vm.expectRevert(
                    abi.encodeWithSelector(IFund.MerchantReceivableInsufficient.selector, shop, receivable, ask)
                );
            } else {
                refunded += ask;
            }
            _refundOnlyPayment(paid, ask);
        }

        IFund.BudgetView memory b = fund.budgetOf(budgetId);
        IFund.MerchantView memory m = fund.merchantOf(shop);
        uint256 refundedOnChain = fund.refundedOf(fund.paymentIdOf(budgetId, 0));
        assertEq(b.balance, issued - paid + refunded, "balance");
        assertEq(b.spent, paid - refunded, "spent");
        assertLe(b.balance, issued, "budget above what was issued");
        assertEq(refundedOnChain, refunded, "payment refunded");
        assertLe(refundedOnChain, paid, "refunded above the payment");
        assertEq(m.receivable, paid - settled - refunded, "receivable");
        assertEq(m.paidOut, settled, "paidOut");
        assertEq(b.balance + m.receivable + m.paidOut, issued, "cents created or lost");
        IFund.Totals memory t = fund.totals();
        assertEq(t.deposited - t.withdrawn, t.reserve + b.balance + m.receivable + m.paidOut, "money model");
    }

    /// @notice An amount above the permit's maxAmount or above the balance is refused with the exact
    /// error, and nothing changes (the permit stays usable).
    /// hardhat-config: fuzz.runs = 3000
    function testFuzz_payAboveBalanceOrMaxAmountAlwaysReverts(uint256 balance, uint256 maxAmount, uint256 amount)
        public
    {
        balance = bound(balance, 1, MAX_CENTS);
        maxAmount = bound(maxAmount, 0, 2 * MAX_CENTS);
        amount = bound(amount, 1, 2 * MAX_CENTS);
        vm.assume(amount > maxAmount || amount > balance);
        _issue(balance);

        (IFund.PaymentPermit memory permit, bytes memory signature) = _permit(familyKey, maxAmount, 0);
        if (amount > maxAmount) {
            vm.expectRevert(abi.encodeWithSelector(IFund.PermitAmountExceeded.selector, maxAmount, amount));
        } else {
            vm.expectRevert(abi.encodeWithSelector(IFund.BudgetInsufficient.selector, budgetId, balance, amount));
        }
        vm.prank(relayer);
        fund.pay(permit, signature, shop, amount);

        IFund.BudgetView memory b = fund.budgetOf(budgetId);
        assertEq(b.balance, balance, "balance moved");
        assertEq(b.nonce, 0, "nonce moved");
        assertEq(fund.receivableOf(shop), 0, "receivable moved");

        // The same permit still pays what fits.
        uint256 fits = maxAmount < balance ? maxAmount : balance;
        if (fits > 0) {
            vm.prank(relayer);
            fund.pay(permit, signature, shop, fits);
            assertEq(fund.balanceOf(budgetId), balance - fits);
        }
    }

    /// @notice Only the holder's key pays, and the digest the key signs is the EIP-712 digest of this
    /// fund's own domain; a used permit is dead.
    /// hardhat-config: fuzz.runs = 2000
    function testFuzz_onlyTheHoldersSignaturePaysOnce(uint256 otherKey, uint256 amount, uint256 deadline) public {
        otherKey = bound(otherKey, 1, SECP256K1_ORDER - 1);
        vm.assume(otherKey != familyKey);
        amount = bound(amount, 1, 50_000);
        deadline = bound(deadline, block.timestamp, block.timestamp + 30 days);
        _issue(100_000);

        IFund.PaymentPermit memory permit = IFund.PaymentPermit(address(fund), budgetId, amount, 0, deadline);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Tegoed Fund"),
                keccak256("1"),
                block.chainid,
                address(fund)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(fund.PAYMENT_PERMIT_TYPEHASH(), permit.fund, permit.budgetId, permit.maxAmount, permit.nonce, permit.deadline)
        );
        bytes32 digest = keccak256(abi.encodePacked(hex"1901", domain, structHash));
        assertEq(fund.permitDigest(permit), digest, "permitDigest is not the clone's EIP-712 digest");

        (uint8 v, bytes32 r, bytes32 s) = vm.sign(otherKey, digest);
        vm.expectRevert(abi.encodeWithSelector(IFund.PermitInvalidSigner.selector, vm.addr(otherKey), family));
        vm.prank(relayer);
        fund.pay(permit, abi.encodePacked(r, s, v), shop, amount);

        (v, r, s) = vm.sign(familyKey, digest);
        vm.prank(relayer);
        (bytes32 paymentId, uint256 left) = fund.pay(permit, abi.encodePacked(r, s, v), shop, amount);
        assertEq(paymentId, keccak256(abi.encode(budgetId, uint256(0))));
        assertEq(left, 100_000 - amount);

        vm.expectRevert(abi.encodeWithSelector(IFund.PermitNonceUsed.selector, budgetId, 1, 0));
        vm.prank(relayer);
        fund.pay(permit, abi.encodePacked(r, s, v), shop, amount);
        assertEq(fund.balanceOf(budgetId), 100_000 - amount);
    }

    /// @notice A refund's proof with one link changed (merchant, amount or nonce), or for a payment
    /// that never happened, is refused with PaymentProofInvalid and moves nothing; the genuine proof
    /// still refunds afterwards.
    /// hardhat-config: fuzz.runs = 2000
    function testFuzz_refundOnlyWithTheGenuineProof(
        uint256 issued,
        uint256 paid,
        uint8 field,
        uint256 forged,
        address forgedMerchant
    ) public {
        issued = bound(issued, 2, MAX_CENTS);
        paid = bound(paid, 1, issued - 1);
        _issue(issued);
        _pay(paid, paid);

        IFund.PaymentLink[] memory links = _onlyPayment(paid);
        field = field % 3;
        if (field == 0) {
            vm.assume(forgedMerchant != shop);
            links[0].merchant = forgedMerchant;
        } else if (field == 1) {
            forged = bound(forged, 1, MAX_CENTS);
            vm.assume(forged != paid);
            links[0].amount = forged; // above the payment: would refund cents never paid
        } else {
            vm.assume(forged != 0);
            links[0].nonce = forged; // a nonce that paid nothing
        }
        bytes32 genesis = _genesis();
        vm.expectRevert(abi.encodeWithSelector(IFund.PaymentProofInvalid.selector, budgetId));
        vm.prank(operator);
        fund.refund(budgetId, 1, genesis, links);
        assertEq(fund.balanceOf(budgetId), issued - paid, "balance moved");
        assertEq(fund.receivableOf(shop), paid, "receivable moved");

        vm.prank(operator);
        fund.refund(budgetId, paid, genesis, _onlyPayment(paid));
        assertEq(fund.balanceOf(budgetId), issued, "genuine refund");
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Refunds `ask` of the budget's only payment (as the caller pranked), with its genuine proof.
    function _refundOnlyPayment(uint256 paid, uint256 ask) internal {
        fund.refund(budgetId, ask, _genesis(), _onlyPayment(paid));
    }

    /// @dev The head of the budget's payment chain at issue: a hash's first 20 bytes, as the fund keeps it.
    function _genesis() internal view returns (bytes32) {
        return bytes20(keccak256(abi.encode(budgetId)));
    }

    /// @dev The proof of the budget's only payment (nonce 0, to the shop): it and no later payment.
    function _onlyPayment(uint256 amount) internal view returns (IFund.PaymentLink[] memory links) {
        links = new IFund.PaymentLink[](1);
        links[0] = IFund.PaymentLink({merchant: shop, amount: amount, nonce: 0});
    }

    function _issue(uint256 amount) internal {
        vm.prank(sponsor);
        fund.deposit(MAX_CENTS, keccak256("bank-ref-deposit"));
        IFund.BudgetGrant[] memory grants = new IFund.BudgetGrant[](1);
        grants[0] = IFund.BudgetGrant({budgetId: budgetId, amount: amount, expiry: 0});
        vm.startPrank(validator);
        fund.issueBudgets(sponsor, grants);
        fund.setHolder(budgetId, family);
        vm.stopPrank();
    }

    function _permit(uint256 key, uint256 maxAmount, uint256 nonce)
        internal
        view
        returns (IFund.PaymentPermit memory permit, bytes memory signature)
    {
        permit = IFund.PaymentPermit(address(fund), budgetId, maxAmount, nonce, block.timestamp + 5 minutes);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, fund.permitDigest(permit));
        signature = abi.encodePacked(r, s, v);
    }

    function _pay(uint256 maxAmount, uint256 amount) internal {
        (IFund.PaymentPermit memory permit, bytes memory signature) = _permit(familyKey, maxAmount, 0);
        vm.prank(relayer);
        fund.pay(permit, signature, shop, amount);
    }
}
