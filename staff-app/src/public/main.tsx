import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { createI18n } from "../i18n/index.ts";
import { PublicPage } from "./PublicPage.tsx";
import "../app/styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nextProvider i18n={createI18n()}>
      <PublicPage />
    </I18nextProvider>
  </StrictMode>,
);
