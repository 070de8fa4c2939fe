// A fund's dashboard: the key figures, spending per category, per shop and over time as charts with the
// same numbers as tables (the accessible version), and CSV exports made in the browser.
import { useEffect, useId, useState, type ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";
import { categoryLabel, type Dashboard } from "@tegoed/sdk";
import { useApi } from "../../lib/api.ts";
import { toCsv } from "@tegoed/sdk/csv";
import { downloadText } from "@tegoed/ui/download";
import { errorText } from "../../lib/errors.ts";
import { formatCents, formatNumber } from "@tegoed/ui/money";
import { useStaff } from "../../lib/session.ts";
import { Loading, Notice } from "../../lib/ui.tsx";
import { allShopPoints, categoryPoints, centsCell, pointsTable, shopPoints, timeCategories, timePoints, type ChartPoint, type TimePoint } from "./chart-data.ts";

const BAR = "#0b4f8a";
const LINE = "#a4161a";
/** Distinguishable hues for stacked categories (the table beside the chart carries the numbers). */
const PALETTE = ["#0b4f8a", "#c05a00", "#1d6b35", "#7b2d8e", "#a4161a", "#00777a", "#5c5c00", "#444c56"];

function CategoryTimeTable({ caption, points, categories, currency, first }: { caption: string; points: readonly TimePoint[]; categories: readonly string[]; currency: string; first: string }) {
  const { i18n } = useTranslation();
  const money = (c: number) => formatCents(c, i18n.language, currency);
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{first}</th>
          {categories.map((c) => <th key={c} scope="col" className="num">{categoryLabel(c, i18n.language)}</th>)}
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={p.label}>
            <th scope="row">{p.label}</th>
            {categories.map((c) => <td key={c} className="num">{money(p.categories[c] ?? 0)}</td>)}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Figures({ d }: { d: Dashboard }) {
  const { t, i18n } = useTranslation();
  const money = (c: number) => formatCents(c, i18n.language, d.currency);
  const n = (v: number) => formatNumber(v, i18n.language);
  const items: [string, string, string][] = [
    ["families", t("dashboard.families"), n(d.families)],
    ["children", t("dashboard.children"), n(d.children)],
    ["activated", t("dashboard.activated"), n(d.familiesActivated)],
    ["budgets", t("dashboard.budgets"), n(d.budgets)],
    ["frozen", t("dashboard.frozen"), n(d.budgetsFrozen)],
    ["issued", t("dashboard.issued"), money(d.issuedCents)],
    ["spent", t("dashboard.spent"), money(d.spentCents)],
    ["refunded", t("dashboard.refunded"), money(d.refundedCents)],
    ["net", t("dashboard.net"), money(d.spentCents - d.refundedCents)], // what the public page calls spent
    ["left", t("dashboard.left"), money(d.leftCents)],
    ["paidOut", t("dashboard.paidOut"), money(d.paidOutCents)],
    ["owed", t("dashboard.owed"), money(d.owedToShopsCents)],
    ["shops", t("dashboard.shops"), n(d.shops)],
  ];
  return (
    <dl className="figures">
      {items.map(([key, label, value]) => (
        <div key={key} data-figure={key}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

function PointsTable({ caption, points, currency, first }: { caption: string; points: readonly ChartPoint[]; currency: string; first: string }) {
  const { t, i18n } = useTranslation();
  const money = (c: number) => formatCents(c, i18n.language, currency);
  return (
    <table>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{first}</th>
          <th scope="col" className="num">{t("dashboard.payments")}</th>
          <th scope="col" className="num">{t("dashboard.spent")}</th>
          <th scope="col" className="num">{t("dashboard.refunded")}</th>
          <th scope="col" className="num">{t("dashboard.net")}</th>
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={p.label}>
            <th scope="row">{p.label}</th>
            <td className="num">{formatNumber(p.payments, i18n.language)}</td>
            <td className="num">{money(p.spentCents)}</td>
            <td className="num">{money(p.refundedCents)}</td>
            <td className="num">{money(p.netCents)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The chart is a picture of the table next to it: hidden from screen readers, who get the table. */
function ChartFigure({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <figure className="chart" aria-labelledby={id}>
      <figcaption id={id}><h2>{title}</h2></figcaption>
      <div aria-hidden="true">{children}</div>
    </figure>
  );
}

export function DashboardPage() {
  const api = useApi();
  const { t, i18n } = useTranslation();
  const { fund } = useStaff();
  const [interval, setPeriod] = useState<"day" | "week">("day");
  const [data, setData] = useState<Dashboard | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  // A failed export is said beside its button: the dashboard stays on screen.
  const [exportError, setExportError] = useState<string | null>(null);

  useEffect(() => {
    if (!fund) return;
    let live = true;
    api.reports.dashboard(fund.id, { interval }).then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(errorText(t, e)),
    );
    return () => {
      live = false;
    };
  }, [api, fund, interval, t]);

  if (!fund) return null;
  if (error) return <><h1>{t("dashboard.title", { fund: fund.name })}</h1><Notice kind="error">{error}</Notice></>;
  if (!data) return <><h1>{t("dashboard.title", { fund: fund.name })}</h1><Loading /></>;

  const money = (c: number) => formatCents(c, i18n.language, data.currency);
  const categories = categoryPoints(data, (c) => categoryLabel(c, i18n.language));
  const shops = shopPoints(data, t("dashboard.otherShops", { count: data.otherShops.shops }));
  const time = timePoints(data);
  const header = [t("dashboard.csv.label"), t("dashboard.payments"), t("dashboard.csv.spent"), t("dashboard.csv.refunded"), t("dashboard.csv.net")];
  const slug = fund.name.replace(/[^\w-]+/g, "-").toLowerCase();
  const exportFigures = () =>
    downloadText(`${slug}-figures.csv`, toCsv([t("dashboard.csv.figure"), t("dashboard.csv.value")], [
      ["families", data.families], ["families_activated", data.familiesActivated], ["children", data.children], ["budgets", data.budgets],
      ["budgets_frozen", data.budgetsFrozen], ["issued_eur", centsCell(data.issuedCents)], ["spent_eur", centsCell(data.spentCents)],
      ["refunded_eur", centsCell(data.refundedCents)], ["net_spent_eur", centsCell(data.spentCents - data.refundedCents)], ["left_eur", centsCell(data.leftCents)], ["paid_out_eur", centsCell(data.paidOutCents)],
      ["owed_to_shops_eur", centsCell(data.owedToShopsCents)], ["shops", data.shops], ["generated_at", data.generatedAt],
    ]));

  // The dashboard names the largest shops only: the export asks for every one.
  const exportShops = () => {
    setExporting(true);
    setExportError(null);
    api.reports.spendingByShop(fund.id).then(
      (all) => downloadText(`${slug}-shops.csv`, toCsv(header, pointsTable(allShopPoints(all.shops)))),
      (e: unknown) => setExportError(errorText(t, e)),
    ).finally(() => setExporting(false));
  };

  return (
    <>
      <h1>{t("dashboard.title", { fund: fund.name })}</h1>
      <Figures d={data} />
      <div className="actions">
        <button type="button" onClick={exportFigures}>{t("dashboard.exportFigures")}</button>
        <button type="button" onClick={() => downloadText(`${slug}-categories.csv`, toCsv(header, pointsTable(categories)))}>{t("dashboard.exportCategories")}</button>
        <button type="button" onClick={exportShops} disabled={exporting} aria-busy={exporting}>{t("dashboard.exportShops")}</button>
        <button type="button" onClick={() => downloadText(`${slug}-${interval}.csv`, toCsv(header, pointsTable(time)))}>{t("dashboard.exportTime")}</button>
      </div>
      {exportError && <Notice kind="error">{exportError}</Notice>}

      <ChartFigure title={t("dashboard.byCategory")}>
        {categories.length > 0 && (
          <BarChart width={720} height={260} data={categories} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis tickFormatter={(v: number) => money(v)} width={100} />
            <Tooltip formatter={(v) => money(Number(v))} />
            <Bar dataKey="netCents" name={t("dashboard.net")} fill={BAR} isAnimationActive={false} />
          </BarChart>
        )}
      </ChartFigure>
      {categories.length === 0 ? <p>{t("dashboard.noPayments")}</p> : <PointsTable caption={t("dashboard.byCategoryTable")} points={categories} currency={data.currency} first={t("dashboard.category")} />}

      <ChartFigure title={t("dashboard.byShop")}>
        {shops.length > 0 && (
          <BarChart width={720} height={Math.max(160, shops.length * 32)} data={shops} layout="vertical" accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" tickFormatter={(v: number) => money(v)} />
            <YAxis type="category" dataKey="label" width={200} />
            <Tooltip formatter={(v) => money(Number(v))} />
            <Bar dataKey="netCents" name={t("dashboard.net")} fill={BAR} isAnimationActive={false} />
          </BarChart>
        )}
      </ChartFigure>
      {shops.length > 0 && <PointsTable caption={t("dashboard.byShopTable")} points={shops} currency={data.currency} first={t("dashboard.shop")} />}

      <div className="actions" role="group" aria-label={t("dashboard.interval")}>
        {(["day", "week"] as const).map((i) => (
          <button key={i} type="button" aria-pressed={interval === i} onClick={() => setPeriod(i)}>{t(`dashboard.per.${i}`)}</button>
        ))}
      </div>
      <ChartFigure title={t("dashboard.overTime")}>
        {time.length > 0 && (
          <LineChart width={720} height={260} data={time} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" />
            <YAxis tickFormatter={(v: number) => money(v)} width={100} />
            <Tooltip formatter={(v) => money(Number(v))} />
            <Line dataKey="netCents" name={t("dashboard.net")} stroke={BAR} isAnimationActive={false} />
            <Line dataKey="cumulativeCents" name={t("dashboard.cumulative")} stroke={LINE} isAnimationActive={false} />
          </LineChart>
        )}
      </ChartFigure>
      {time.length > 0 && <PointsTable caption={t("dashboard.overTimeTable")} points={time} currency={data.currency} first={t(`dashboard.periodOf.${interval}`)} />}

      {time.length > 0 && timeCategories(data).length > 0 && (
        <>
          <ChartFigure title={t("dashboard.categoryOverTime")}>
            <BarChart width={720} height={260} data={time.map((p) => ({ label: p.label, ...p.categories }))} accessibilityLayer={false}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="label" />
              <YAxis tickFormatter={(v: number) => money(v)} width={100} />
              <Tooltip formatter={(v) => money(Number(v))} />
              <Legend />
              {timeCategories(data).map((c, i) => (
                <Bar key={c} dataKey={c} name={categoryLabel(c, i18n.language)} stackId="categories" fill={PALETTE[i % PALETTE.length]} isAnimationActive={false} />
              ))}
            </BarChart>
          </ChartFigure>
          <CategoryTimeTable caption={t("dashboard.categoryOverTimeTable")} points={time} categories={timeCategories(data)} currency={data.currency} first={t(`dashboard.periodOf.${interval}`)} />
        </>
      )}
    </>
  );
}
