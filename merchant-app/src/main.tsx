import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { App } from "./app/app.tsx";
import { ApiProvider, browserClient } from "./lib/api.tsx";
import { createI18n } from "./lib/i18n/index.ts";
import "./app/styles.css";

const i18n = createI18n();

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <ApiProvider client={browserClient()}>
        <App />
      </ApiProvider>
    </I18nextProvider>
  </StrictMode>,
);
