import { afterEach, describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { CodeScanner } from "../src/features/activation/code-scanner.tsx";
import { renderWithI18n } from "./fixtures.tsx";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("scanning the letter's QR", () => {
  it("is not offered where the browser has no BarcodeDetector (the code is typed)", () => {
    renderWithI18n(<CodeScanner onCode={() => {}} />);
    expect(screen.queryByRole("button")).toBeNull();
  });

  it("reads the code with the phone's BarcodeDetector from the camera and stops the camera", async () => {
    const stop = vi.fn();
    vi.stubGlobal("BarcodeDetector", class {
      async detect() {
        return [{ rawValue: "ABCDEFGHJKMN" }];
      }
    });
    Object.defineProperty(navigator, "mediaDevices", {
      configurable: true, value: { getUserMedia: vi.fn(async () => ({ getTracks: () => [{ stop }] })) },
    });
    vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue(undefined);
    const onCode = vi.fn();
    renderWithI18n(<CodeScanner onCode={onCode} />);
    await userEvent.setup().click(screen.getByRole("button", { name: "Scan de QR-code op de brief" }));
    await vi.waitFor(() => expect(onCode).toHaveBeenCalledWith("ABCDEFGHJKMN"), { timeout: 2000 });
    await vi.waitFor(() => expect(stop).toHaveBeenCalled());
    expect(screen.getByRole("button", { name: "Scan de QR-code op de brief" })).toHaveAttribute("aria-pressed", "false");
  });
});
