// The few statements every charge runs, built and compiled by Kysely once per process instead of on
// every call, because building a query's tree and compiling it to SQL is a visible part of a charge's
// CPU. The statement is still written with Kysely's typed builder. What it saved is in bench/README.md.
import { CompiledQuery, type Compilable } from "kysely";
import type { Db } from "./transaction.ts";

export type Argument = string | number | bigint | boolean | Date | null;

/**
 * A statement compiled once, run with new arguments each time, on any handle (pool or transaction) of
 * either engine: Kysely compiles PGlite's and PostgreSQL's queries to the same SQL.
 */
export interface Precompiled<A extends Argument[], R> {
  /** The statement's rows. */
  rows(db: Db, ...args: A): Promise<R[]>;
}

/**
 * `build(db, ...args)` must pass each argument to the query as a value (a `where` operand, a set or
 * inserted value, `sql.val`, a `${…}` in a `sql` template), unchanged: it is built once with a marker
 * in each argument's place, and every later call puts its arguments where the markers ended up among
 * the query's parameters. Other values in the query (constants) are kept as compiled. A builder that
 * writes an argument into the SQL text, transforms it or leaves it out fails at its first run.
 */
export function precompiled<A extends Argument[], R>(build: (db: Db, ...args: A) => Compilable<R>): Precompiled<A, R> {
  const arity = build.length - 1;
  let template: { sql: string; slots: ({ arg: number } | { value: unknown })[] } | undefined;

  function compile(db: Db) {
    const markers = Array.from({ length: arity }, (_, i) => `\u0000precompiled argument ${i}\u0000`);
    const compiled = build(db, ...(markers as unknown as A)).compile();
    if (markers.some((m) => compiled.sql.includes(m))) throw new Error("precompiled: an argument was written into the SQL text");
    const slots = compiled.parameters.map((p) => (typeof p === "string" && markers.includes(p) ? { arg: markers.indexOf(p) } : { value: p }));
    for (let i = 0; i < arity; i++) {
      if (!slots.some((s) => "arg" in s && s.arg === i)) throw new Error(`precompiled: argument ${i} is not a parameter of the statement as given`);
    }
    return { sql: compiled.sql, slots };
  }

  return {
    async rows(db, ...args) {
      if (args.length !== arity) throw new Error(`precompiled: ${args.length} arguments for a statement of ${arity}`);
      template ??= compile(db);
      const parameters = template.slots.map((s) => ("arg" in s ? args[s.arg] : s.value));
      return (await db.executeQuery<R>(CompiledQuery.raw(template.sql, parameters))).rows;
    },
  };
}
