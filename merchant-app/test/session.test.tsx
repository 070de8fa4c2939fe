import { describe, expect, it, vi } from "vitest";
import { screen } from "@testing-library/react";
import { App } from "../src/app/app.tsx";
import { SESSION_LOST, browserClient, sessionEvents } from "../src/lib/api.tsx";
import { fakeApi, renderWith } from "./support/render.tsx";

const unauthenticated = () =>
  new Response(JSON.stringify({ error: { code: "UNAUTHENTICATED", message: "Please log in first." } }), { status: 401, headers: { "content-type": "application/json" } });

describe("a session that runs out", () => {
  it("a 401 on a till call is announced; a 401 while checking for a session or logging in is not", async () => {
    const lost = vi.fn();
    sessionEvents.addEventListener(SESSION_LOST, lost);
    const client = browserClient(async () => unauthenticated());
    await expect(client.merchant.me()).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(client.merchant.login({ email: "a@b.example", password: "x" })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(lost).not.toHaveBeenCalled();
    await expect(client.merchant.payments({ from: "2026-11-23T00:00:00.000Z" })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    expect(lost).toHaveBeenCalledTimes(1);
    sessionEvents.removeEventListener(SESSION_LOST, lost);
  });

  it("sends the logged-in app back to the login with a notice", async () => {
    const api = fakeApi();
    api.merchant.me!.mockResolvedValue({
      user: { id: "5a0c8f52-64d5-4c8e-a7c4-2f1b3b8c9d10", merchantId: "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f", email: "k@d.example", createdAt: "2026-11-01T10:00:00.000Z" },
      merchant: { id: "3d6f0a2b-8c1e-4f5a-9b7d-2e4c6a8b0d1f", name: "De Bal", status: "approved", categories: [], funds: [] },
      csrfToken: "c", expiresAt: "2026-11-23T20:00:00.000Z",
    });
    renderWith(<App />, { api });
    await screen.findByRole("heading", { name: "Afrekenen", level: 1 });
    sessionEvents.dispatchEvent(new Event(SESSION_LOST));
    await screen.findByRole("heading", { name: "Inloggen", level: 1 });
    expect(screen.getByText("Uw sessie is verlopen — log opnieuw in.")).toBeInTheDocument();
  });
});
