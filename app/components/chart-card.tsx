// A chart card: a polaris-viz chart drawn in the browser (it measures the DOM, so not on the
// server), with its numbers as a table: visually hidden (for screen readers) while the chart
// shows, and on screen with the "View as table" toggle.
import { BlockStack, Button, Card, DataTable, InlineStack, SkeletonBodyText, Text } from "@shopify/polaris";
import { BarChart, LineChart, PolarisVizProvider, type DataSeries } from "@shopify/polaris-viz";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ClientOnly } from "./client-only.tsx";

export interface ChartTable {
  headings: string[];
  rows: (string | number)[][];
}

const hidden: React.CSSProperties = { position: "absolute", width: 1, height: 1, overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" };

export function ChartCard({ id, title, subtitle, type, data, table, stacked }: { id: string; title: string; subtitle?: string; type: "bar" | "line"; data: DataSeries[]; table: ChartTable; stacked?: boolean }) {
  const { t } = useTranslation();
  const [asTable, setAsTable] = useState(false);
  const dataTable = <DataTable columnContentTypes={table.headings.map((_, i) => (i === 0 ? "text" : "numeric"))} headings={table.headings} rows={table.rows} />;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="center">
          <BlockStack gap="100">
            <Text as="h2" variant="headingMd" id={`${id}-title`}>
              {title}
            </Text>
            {subtitle ? (
              <Text as="p" tone="subdued">
                {subtitle}
              </Text>
            ) : null}
          </BlockStack>
          <Button variant="plain" onClick={() => setAsTable((v) => !v)} ariaControls={`${id}-body`} ariaExpanded={asTable}>
            {asTable ? t("home.viewAsChart") : t("home.viewAsTable")}
          </Button>
        </InlineStack>
        <div id={`${id}-body`}>
          {asTable ? (
            <div id={`${id}-table`}>{dataTable}</div>
          ) : (
            <>
              {/* The drawing is for sighted mouse users: inert (out of the tab order and the
                  accessibility tree, whose SVG roles polaris-viz leaves incomplete); screen
                  readers get the table below, keyboard users the toggle. */}
              <div id={`${id}-chart`} style={{ height: 260 }} ref={(el) => el?.setAttribute("inert", "")} aria-hidden="true">
                <ClientOnly fallback={<SkeletonBodyText lines={8} />}>
                  {() => (
                    <PolarisVizProvider>
                      {type === "bar" ? <BarChart data={data} theme="Light" type={stacked ? "stacked" : "default"} /> : <LineChart data={data} theme="Light" />}
                    </PolarisVizProvider>
                  )}
                </ClientOnly>
              </div>
              <div style={hidden}>
                <table>
                  <caption>{title}</caption>
                  <thead>
                    <tr>
                      {table.headings.map((h) => (
                        <th key={h} scope="col">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {table.rows.map((r, i) => (
                      <tr key={i}>
                        {r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j}>{c}</td>))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </div>
      </BlockStack>
    </Card>
  );
}
