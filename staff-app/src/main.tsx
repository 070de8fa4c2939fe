import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { App } from "./app/App.tsx";
import { ApiContext, browserClient } from "./lib/api.ts";
import { createI18n } from "./i18n/index.ts";
import "./app/styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nextProvider i18n={createI18n()}>
      <ApiContext.Provider value={browserClient()}>
        <App />
      </ApiContext.Provider>
    </I18nextProvider>
  </StrictMode>,
);
