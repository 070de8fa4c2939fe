// A family that lost its session (cookie gone, session expired) on the phone that holds its key logs in
// again by signing a one-time challenge with that key; the letter's code works only once. A challenge
// lives two minutes, one is open per key at a time, and it is taken away at the first try, right or wrong.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { getAddress, verifyMessage } from "ethers";
import { DomainError, familyLoginMessage } from "@tegoed/sdk";
import { auditLogRepository } from "../../db/audit-log.repository.ts";
import type { EligibilityDeps } from "./deps.ts";
import { eligibilityRepository } from "./eligibility.repository.ts";

export const CHALLENGE_TTL_MS = 2 * 60_000;

const hash = (text: string) => createHash("sha256").update(text).digest();

/** A challenge for the key; refused (UNAUTHENTICATED) when the key holds no family's budgets. */
export async function familyLoginChallenge(
  deps: Pick<EligibilityDeps, "db" | "clock">, holderAddress: string,
): Promise<{ challenge: string; expiresAt: Date }> {
  const repo = eligibilityRepository(deps.db);
  if ((await repo.familyOfHolder(holderAddress)) === null) throw notThisKey();
  const challenge = randomBytes(24).toString("base64url");
  const expiresAt = new Date(deps.clock().getTime() + CHALLENGE_TTL_MS);
  await repo.putLoginChallenge(holderAddress, hash(challenge).toString("hex"), expiresAt);
  return { challenge, expiresAt };
}

/** The family of the key that signed the open challenge; UNAUTHENTICATED for anything else. */
export async function loginWithDeviceKey(
  deps: Pick<EligibilityDeps, "db" | "clock">, cmd: { holderAddress: string; challenge: string; signature: string },
): Promise<{ familyId: string }> {
  const repo = eligibilityRepository(deps.db);
  const open = await repo.takeLoginChallenge(cmd.holderAddress);
  if (!open || open.expiresAt <= deps.clock() || !timingSafeEqual(Buffer.from(open.nonceHash, "hex"), hash(cmd.challenge))) {
    throw new DomainError("UNAUTHENTICATED", "The login challenge is unknown, used or expired: ask for a new one.");
  }
  let signer: string;
  try {
    signer = verifyMessage(familyLoginMessage(cmd.challenge), cmd.signature);
  } catch {
    throw notThisKey();
  }
  if (signer !== getAddress(cmd.holderAddress)) throw notThisKey();
  const familyId = await repo.familyOfHolder(signer);
  if (familyId === null) throw notThisKey();
  await auditLogRepository(deps.db).append({ actorType: "family", actorId: familyId, action: "family.key_login", subjectType: "family", subjectId: familyId });
  return { familyId };
}

function notThisKey(): DomainError {
  return new DomainError("UNAUTHENTICATED", "This phone's key does not hold a family's budgets: activate it with a letter.");
}
