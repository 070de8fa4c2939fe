// parseFundLog against ethers' decodeEventLog: every event of the Fund ABI, encoded by ethers with random
// values, decodes to the same fields; a log of another ABI is null; a malformed one throws.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type EventFragment, Interface, getAddress, hexlify } from "ethers";
import { fundAbi } from "@tegoed/sdk";
import { logDecoder, parseFundLog } from "../../src/chain/events.ts";

const fund = new Interface(fundAbi);
const events: EventFragment[] = [];
fund.forEachEvent((e) => events.push(e));

function randomValue(type: string): unknown {
  if (type === "address") return getAddress(hexlify(randomBytes(20)));
  if (type === "bytes32") return hexlify(randomBytes(32));
  if (type === "bool") return randomBytes(1)[0]! % 2 === 0;
  const bits = Number(/^u?int(\d+)$/.exec(type)![1]);
  const value = BigInt(hexlify(randomBytes(bits / 8)));
  return type.startsWith("uint") ? value : BigInt.asIntN(bits, value);
}

describe("Fund log decoding", () => {
  it(`decodes each of the ${events.length} Fund events as ethers does, 20 random logs each`, () => {
    expect(events.map((e) => e.name)).toEqual(expect.arrayContaining(["PaymentMade", "PaymentRefunded", "MerchantSettled", "Deposited"]));
    for (const event of events) {
      for (let i = 0; i < 20; i++) {
        const values = event.inputs.map((input) => randomValue(input.type));
        const log = fund.encodeEventLog(event, values);
        const expected: Record<string, unknown> = {};
        const decoded = fund.decodeEventLog(event, log.data, log.topics);
        event.inputs.forEach((input, k) => (expected[input.name] = decoded[k]));
        expect(parseFundLog(log), event.format()).toEqual({ name: event.name, args: expected });
      }
    }
  });

  it("leaves an event with a field of more than one word (a string) to ethers", () => {
    const abi = new Interface(["event Named(bytes32 indexed id, string name, uint64 at)"]);
    const log = abi.encodeEventLog("Named", [hexlify(randomBytes(32)), "Sportwinkel De Bal", 1_800_000_000n]);
    expect(logDecoder(abi)(log)).toEqual({ name: "Named", args: { id: log.topics[1], name: "Sportwinkel De Bal", at: 1_800_000_000n } });
  });

  it("is null for a log of another contract's event, and throws on a malformed Fund log", () => {
    const transfer = new Interface(["event Transfer(address indexed from, address indexed to, uint256 value)"]);
    expect(parseFundLog(transfer.encodeEventLog("Transfer", [getAddress(hexlify(randomBytes(20))), getAddress(hexlify(randomBytes(20))), 5n]))).toBeNull();
    expect(parseFundLog({ topics: [], data: "0x" })).toBeNull();
    const payment = fund.getEvent("PaymentMade")!;
    const good = fund.encodeEventLog(payment, payment.inputs.map((input) => randomValue(input.type)));
    expect(() => parseFundLog({ ...good, topics: good.topics.slice(0, 3) })).toThrow(/malformed/);
    expect(() => parseFundLog({ ...good, data: good.data.slice(0, 66) })).toThrow(/malformed/);
    expect(() => parseFundLog({ ...good, topics: [good.topics[0]!, good.topics[1]!, good.topics[2]!, `0x${"ff".repeat(32)}`] })).toThrow(/address/);
  });
});
