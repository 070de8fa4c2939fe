import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { auditLogRepository } from "../../src/db/audit-log.repository.ts";
import { ENGINES, useDatabase } from "../support/engines.ts";
import { randomUUID } from "../support/fixtures.ts";

describe.each(ENGINES)("audit log on $name", (engine) => {
  const ctx = useDatabase(engine);

  describe("append", () => {
    it("stores who did what to which subject, with an id and the time", async () => {
      const log = auditLogRepository(ctx.db);
      const staffId = randomUUID();
      const merchantId = randomUUID();

      const entry = await log.append({
        actorType: "staff",
        actorId: staffId,
        action: "merchant.approve",
        subjectType: "merchant",
        subjectId: merchantId,
        details: { categories: ["sport"], feeCents: "0" },
      });

      expect(entry).toEqual({
        id: expect.any(BigInt),
        at: expect.any(Date),
        actorType: "staff",
        actorId: staffId,
        action: "merchant.approve",
        subjectType: "merchant",
        subjectId: merchantId,
        details: { categories: ["sport"], feeCents: "0" },
      });
      expect(Math.abs(entry.at.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await log.list({ actorId: staffId })).toEqual([entry]);
    });

    it("keeps nothing when the caller's transaction rolls back", async () => {
      const actorId = randomUUID();
      await expect(
        ctx.db.transaction().execute(async (trx) => {
          await auditLogRepository(trx).append({ actorType: "staff", actorId, action: "fund.pause" });
          throw new Error("the pause itself failed");
        }),
      ).rejects.toThrow("the pause itself failed");

      expect(await auditLogRepository(ctx.db).list({ actorId })).toEqual([]);
    });
  });

  describe("list", () => {
    it("filters by actor, action, subject and time, newest first, and pages by id", async () => {
      const log = auditLogRepository(ctx.db);
      const alice = randomUUID();
      const bob = randomUUID();
      const fund = randomUUID();
      const first = await log.append({ actorType: "staff", actorId: alice, action: "fund.create", subjectType: "fund", subjectId: fund });
      const second = await log.append({ actorType: "staff", actorId: bob, action: "fund.pause", subjectType: "fund", subjectId: fund });
      const third = await log.append({ actorType: "staff", actorId: alice, action: "fund.unpause", subjectType: "fund", subjectId: fund });

      expect(await log.list({ actorType: "staff", actorId: alice })).toEqual([third, first]);
      expect(await log.list({ subjectType: "fund", subjectId: fund })).toEqual([third, second, first]);
      expect(await log.list({ subjectId: fund, action: "fund.pause" })).toEqual([second]);
      expect(await log.list({ subjectId: fund, limit: 2 })).toEqual([third, second]);
      expect(await log.list({ subjectId: fund, beforeId: second.id })).toEqual([first]);
      expect(await log.list({ subjectId: fund, from: new Date(Date.now() + 60_000) })).toEqual([]);
      expect(await log.list({ subjectId: fund, to: new Date(Date.now() + 60_000) })).toHaveLength(3);
      expect(await log.list({ actorType: "merchant", actorId: alice })).toEqual([]);
    });
  });

  describe("append-only", () => {
    it.each([
      ["UPDATE", sql`update audit_log set action = 'nothing.happened'`],
      ["UPDATE of no row", sql`update audit_log set action = 'x' where id < 0`],
      ["DELETE", sql`delete from audit_log`],
      ["TRUNCATE", sql`truncate audit_log`],
    ])("refuses %s and leaves the entries as they were", async (_operation, statement) => {
      const log = auditLogRepository(ctx.db);
      const actorId = randomUUID();
      const entry = await log.append({ actorType: "staff", actorId, action: "staff.login" });

      await expect(statement.execute(ctx.db)).rejects.toMatchObject({
        code: "42501",
        message: expect.stringMatching(/^audit_log is append-only: (UPDATE|DELETE|TRUNCATE) refused$/),
      });

      expect(await log.list({ actorId })).toEqual([entry]);
    });
  });
});
