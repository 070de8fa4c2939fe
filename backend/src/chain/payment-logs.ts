// Finds the PaymentMade / PaymentRefunded event of a relayed transaction, with its exact position
// (log index, block time), so the payments service can record the very row the indexer will find.
import { Interface } from "ethers";
import { fundAbi } from "@tegoed/sdk";
import { toChainDomainError } from "./errors.ts";
import { readFundEvents, type PaymentEvent, type RefundEvent } from "./events.ts";
import type { FundClient } from "./fund-client.ts";

const fundInterface = new Interface(fundAbi);

/** The PaymentMade event of `paymentId`, searched by its indexed id; null when there is none. */
export async function findPaymentEvent(fund: FundClient, paymentId: string): Promise<PaymentEvent | null> {
  const provider = fund.relayer.provider;
  const topic = fundInterface.getEvent("PaymentMade")!.topicHash;
  let logs;
  try {
    logs = await provider.getLogs({ address: fund.address, topics: [topic, paymentId.toLowerCase()], fromBlock: 0, toBlock: "latest" });
  } catch (error) {
    throw toChainDomainError(error);
  }
  const found = logs.find((log) => !log.removed);
  if (!found) return null;
  const events = await readFundEvents({ provider, funds: [fund.address], fromBlock: found.blockNumber, toBlock: found.blockNumber });
  return (
    events.find((e): e is PaymentEvent => e.kind === "payment" && e.paymentId.toLowerCase() === paymentId.toLowerCase()) ?? null
  );
}

/** The PaymentRefunded event of transaction `txHash`, mined in `atBlock`. */
export async function findRefundEvent(fund: FundClient, txHash: string, atBlock: number): Promise<RefundEvent | null> {
  const events = await readFundEvents({ provider: fund.relayer.provider, funds: [fund.address], fromBlock: atBlock, toBlock: atBlock });
  return events.find((e): e is RefundEvent => e.kind === "refund" && e.txHash.toLowerCase() === txHash.toLowerCase()) ?? null;
}
