import { render, screen } from "@testing-library/react";
import { expect, test } from "vitest";

test("jsdom project renders React", () => {
  render(<h1>Tegoed</h1>);
  expect(screen.getByRole("heading", { name: "Tegoed" })).toBeInTheDocument();
});
