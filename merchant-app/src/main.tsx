import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { App } from "./app/app.tsx";
import { ApiProvider, browserClient } from "./lib/api.tsx";
import { tillLanguages } from "./lib/i18n/index.ts";
import "./app/styles.css";

// A till set to Turkish opens in Turkish: its texts load before the first render.
void tillLanguages.load().then((i18n) =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <I18nextProvider i18n={i18n}>
        <ApiProvider client={browserClient()}>
          <App />
        </ApiProvider>
      </I18nextProvider>
    </StrictMode>,
  ));
