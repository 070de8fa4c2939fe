import { expect } from "chai";
import { readFileSync } from "node:fs";
import { renderAbis } from "../../scripts/generate-abis.ts";
import { ROOT } from "../../scripts/lib/artifacts.ts";

describe("sdk ABIs", () => {
  it("match the compiled contracts (run `npm run compile` when this fails)", () => {
    const committed = readFileSync(`${ROOT}sdk/src/generated/abis.ts`, "utf8");
    expect(committed).to.equal(renderAbis());
  });
});
