import type { TypedDataDomain, TypedDataField } from "ethers";

/** What a family's device key signs to allow one payment from one budget. Amounts in euro cents. */
export interface PaymentPermit {
  fund: string;
  budgetId: string;
  maxAmount: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** Must match `Fund`'s EIP712("Tegoed Fund", "1") and its PAYMENT_PERMIT_TYPEHASH. */
export const FUND_EIP712_NAME = "Tegoed Fund";
export const FUND_EIP712_VERSION = "1";

export const PAYMENT_PERMIT_TYPES: Record<string, TypedDataField[]> = {
  PaymentPermit: [
    { name: "fund", type: "address" },
    { name: "budgetId", type: "bytes32" },
    { name: "maxAmount", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The EIP-712 domain of one fund clone on one chain. */
export function fundDomain(fund: string, chainId: bigint | number): TypedDataDomain {
  return { name: FUND_EIP712_NAME, version: FUND_EIP712_VERSION, chainId, verifyingContract: fund };
}

/** Anything that signs typed data the ethers way (a Wallet, a HardhatEthersSigner). */
export interface TypedDataSigner {
  signTypedData(
    domain: TypedDataDomain,
    types: Record<string, TypedDataField[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
}

/** Signs `permit` for the fund named in it; returns the 65-byte signature as hex. */
export function signPaymentPermit(
  signer: TypedDataSigner,
  chainId: bigint | number,
  permit: PaymentPermit,
): Promise<string> {
  return signer.signTypedData(fundDomain(permit.fund, chainId), PAYMENT_PERMIT_TYPES, { ...permit });
}
