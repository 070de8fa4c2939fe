import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App.tsx";
import { onDemandWalletApi } from "./lib/api-on-demand.ts";
import { localChildrenCache } from "./lib/cache.ts";
import { createI18n } from "./lib/i18n.ts";
import { indexedDbKeyStorage, loadSigningKey } from "./lib/keystore.ts";
import { takeLetterCode } from "./lib/letter-link.ts";
import "./styles.css";

const api = onDemandWalletApi();
const services = {
  api, keys: indexedDbKeyStorage(), cache: localChildrenCache(), letterCode: takeLetterCode(),
  preload: () => { api.preload(); void loadSigningKey().catch(() => {}); },
};

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App services={services} i18n={createI18n()} />
  </StrictMode>,
);

// The service worker keeps the app shell, so the QR screen opens at a till without network.
if ("serviceWorker" in navigator && import.meta.env.MODE === "production") {
  window.addEventListener("load", () => void navigator.serviceWorker.register(`${import.meta.env.BASE_URL}sw.js`, { scope: import.meta.env.BASE_URL }).catch(() => {}));
}
