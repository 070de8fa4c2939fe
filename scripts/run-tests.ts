// `npm test`: runs every suite in turn, streams its output, and ends with one summary line
// "N passed, N failed" over all of them. Exits non-zero when anything failed.
import { spawn } from "node:child_process";
import { ROOT } from "./lib/artifacts.ts";

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

interface Suite {
  name: string;
  command: string[];
  /** Reads the runner's own summary; null when it printed none. */
  parse(output: string): Counts | null;
}

const number = (output: string, pattern: RegExp) => {
  const matches = [...output.matchAll(pattern)];
  return matches.length ? Number(matches.at(-1)![1]) : 0;
};

/** mocha and Hardhat's Solidity test runner both end with "N passing", "N failing", "N pending". */
function mochaStyle(output: string): Counts | null {
  if (!/\d+ passing|\d+ failing/.test(output)) return null;
  return {
    passed: number(output, /(\d+) passing/g),
    failed: number(output, /(\d+) failing/g),
    skipped: number(output, /(\d+) (?:pending|skipped)/g),
  };
}

/** vitest: "Tests  2 failed | 40 passed | 1 skipped (43)". */
function vitestStyle(output: string): Counts | null {
  const line = output.split("\n").findLast((l) => /^\s*Tests\s+\d+ /.test(l));
  if (!line) return null;
  return {
    passed: number(line, /(\d+) passed/g),
    failed: number(line, /(\d+) failed/g),
    skipped: number(line, /(\d+) (?:skipped|todo)/g),
  };
}

/** A step without test cases (type checking) counts as one check. */
const singleCheck = (): Counts | null => null;

const hardhat = `${ROOT}node_modules/.bin/hardhat`;
const typecheck: Suite = { name: "typecheck", command: ["npm", "run", "--silent", "typecheck"], parse: singleCheck };
const contracts: Suite[] = [
  { name: "contracts: compile + ABIs", command: ["npm", "run", "--silent", "compile"], parse: singleCheck },
  { name: "contracts: unit tests (mocha)", command: [hardhat, "test", "mocha", "--no-compile"], parse: mochaStyle },
  { name: "contracts: fuzz + invariants (Solidity)", command: [hardhat, "test", "solidity"], parse: mochaStyle },
];
const vitest: Suite = { name: "sdk, backend, apps, system (vitest)", command: [`${ROOT}node_modules/.bin/vitest`, "run"], parse: vitestStyle };

/**
 * Each stage's lanes run side by side, the suites of a lane one after the other. Type checking uses one
 * core for minutes and shares nothing with the contracts' suites, so it runs beside them; the vitest
 * suite starts chains, databases and browsers and gets the machine to itself.
 */
const STAGES: Suite[][][] = [[contracts, [typecheck]], [[vitest]]];

// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, "");

/** Runs a suite; its output goes to the terminal as it comes (`live`) or is handed back to be printed later. */
function run(suite: Suite, live: boolean): Promise<{ code: number; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const [command, ...args] = suite.command;
    const child = spawn(command!, args, { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0", NO_COLOR: "1" } });
    let output = "";
    const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
      output += chunk.toString();
      if (live) stream.write(chunk);
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    child.on("close", (code) => resolve({ code: code ?? 1, output: stripAnsi(output), seconds: (Date.now() - started) / 1000 }));
  });
}

const only = process.argv.slice(2);
const chosen = (suite: Suite) => only.length === 0 || only.some((o) => suite.name.includes(o));
const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const rows: Record<string, Counts & { seconds: number }> = {};

function count(suite: Suite, { code, output, seconds }: Awaited<ReturnType<typeof run>>): void {
  const counts = suite.parse(output) ?? { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
  // A runner that crashed after reporting passes must still fail the run.
  if (code !== 0 && counts.failed === 0) counts.failed = 1;
  rows[suite.name] = { ...counts, seconds: Math.round(seconds) };
  total.passed += counts.passed;
  total.failed += counts.failed;
  total.skipped += counts.skipped;
}

for (const stage of STAGES) {
  const lanes = stage.map((lane) => lane.filter(chosen)).filter((lane) => lane.length > 0);
  // The first lane streams; the others' output is printed, whole, once the first lane is done.
  const held: { suite: Suite; result: Awaited<ReturnType<typeof run>> }[][] = lanes.map(() => []);
  await Promise.all(lanes.map(async (lane, l) => {
    for (const suite of lane) {
      if (l === 0) console.log(`\n=== ${suite.name}`);
      const result = await run(suite, l === 0);
      if (l === 0) count(suite, result);
      else held[l]!.push({ suite, result });
    }
  }));
  for (const { suite, result } of held.flat()) {
    console.log(`\n=== ${suite.name} (ran beside the above)`);
    process.stdout.write(result.output);
    count(suite, result);
  }
}

console.log("\n=== summary");
console.table(rows);
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed === 0 ? 0 : 1);
