// The participating shops, grouped by category, with a search over name, address and category.
import { useEffect, useId, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { categoryLabel, OTHER_CATEGORY } from "@tegoed/sdk";
import type { Shop, WalletApi } from "../../lib/api.ts";
import { errorMessage } from "../../lib/errors.ts";

export function ShopsPage({ api, fundId }: { api: WalletApi; fundId?: string }) {
  const { t, i18n } = useTranslation();
  const id = useId();
  const [shops, setShops] = useState<Shop[] | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const [query, setQuery] = useState("");
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setFailure(null);
    api.shops(fundId).then((list) => current && setShops(list), (error) => current && setFailure(error ?? new Error()));
    return () => {
      current = false;
    };
  }, [api, fundId, attempt]);

  const category = (name: string) => categoryLabel(name, i18n.language);
  const groups = useMemo(() => {
    const needle = query.trim().toLowerCase();
    const byCategory = new Map<string, Shop[]>();
    for (const shop of shops ?? []) {
      const categories = shop.categories.length > 0 ? shop.categories : [OTHER_CATEGORY];
      const text = [shop.name, shop.address, ...categories.map(category)].join(" ").toLowerCase();
      if (needle && !text.includes(needle)) continue;
      for (const c of categories) byCategory.set(c, [...(byCategory.get(c) ?? []), shop]);
    }
    return [...byCategory.entries()]
      .map(([name, list]) => ({ name, label: category(name), shops: list.sort((a, b) => a.name.localeCompare(b.name)) }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [shops, query, i18n.language]); // category labels follow the language

  const count = new Set(groups.flatMap((g) => g.shops.map((s) => s.id))).size;
  return (
    <section aria-labelledby={`${id}-title`} className="stack">
      <h1 id={`${id}-title`}>{t("shops.title")}</h1>
      <p>{t("shops.intro")}</p>
      <div className="field">
        <label htmlFor={`${id}-search`}>{t("shops.search")}</label>
        <input id={`${id}-search`} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
      </div>
      {failure !== null ? (
        <div role="alert" className="error-box">
          <p>{errorMessage(failure, t, i18n.language)}</p>
          <button type="button" className="secondary" onClick={() => setAttempt(attempt + 1)}>{t("app.retry")}</button>
        </div>
      ) : shops === null ? (
        <p role="status">{t("app.loading")}</p>
      ) : (
        <>
          <p role="status">{count === 0 ? t("shops.none") : t("shops.count", { count })}</p>
          {groups.map((group) => (
            <section key={group.name} aria-labelledby={`${id}-${group.name}`} className="stack">
              <h2 id={`${id}-${group.name}`}>{group.label}</h2>
              <ul className="shops" role="list">
                {group.shops.map((shop) => (
                  <li key={shop.id} className="shop">
                    <strong>{shop.name}</strong>
                    <span>{shop.address}</span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </>
      )}
    </section>
  );
}
