/**
 * Plots with recharts (maintained, SVG so colours come from the theme's CSS variables in light
 * and dark mode, with its keyboard/screen-reader accessibility layer on), each with the same
 * figures in a table next to it for people who do not read charts.
 */
import type { ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { ProjectCharts, SpendChart } from '../../../../contract/index.ts';
import { formatCost } from '../../lib/format.ts';

const W = 420;
const H = 180;
const axis = { stroke: 'var(--muted)', fontSize: 11 };

/** The grid, axes and tooltip of every chart here, by the data key along the x axis. */
const frame = (xKey: string, allowDecimals = true): ReactNode[] => [
  <CartesianGrid key="grid" stroke="var(--border)" />,
  <XAxis key="x" dataKey={xKey} tick={axis} stroke="var(--border-strong)" />,
  <YAxis key="y" allowDecimals={allowDecimals} tick={axis} stroke="var(--border-strong)" />,
  <Tooltip key="tooltip" />,
];

/** The chart's figures as a table: a caption, two column heads, and a row per point. */
interface FigureTable {
  caption: string;
  columns: readonly [string, string];
  rows: readonly { key: string | number; cells: readonly [ReactNode, ReactNode] }[];
}

function Figure(props: { title: string; chart: ReactNode; table: FigureTable }): ReactNode {
  const { table } = props;
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div className="chart-body">
        <div className="chart-plot">{props.chart}</div>
        <div className="chart-table">
          <table className="data-table">
            <caption>{table.caption}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r) => (
                <tr key={r.key}>
                  {r.cells.map((c, i) => (
                    <td key={i}>{c}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </figure>
  );
}

export function BurnUp(props: { charts: ProjectCharts }): ReactNode {
  const data = props.charts.burnUp.map((p) => ({
    label: new Date(p.at).toLocaleDateString(),
    passing: p.passing,
  }));
  return (
    <Figure
      title="Features passing over time"
      chart={
        <LineChart width={W} height={H} data={data} accessibilityLayer>
          {frame('label', false)}
          <Line dataKey="passing" stroke="var(--ok)" strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      }
      table={{
        caption: 'Features passing at the end of each run',
        columns: ['Run ended', 'Passing'],
        rows: data.map((d, i) => ({ key: i, cells: [d.label, d.passing] })),
      }}
    />
  );
}

export function CostPerDay(props: { charts: ProjectCharts }): ReactNode {
  const data = props.charts.costPerDay;
  return (
    <Figure
      title="Cost per day"
      chart={
        <BarChart width={W} height={H} data={data} accessibilityLayer>
          {frame('day')}
          <Bar dataKey="costUsd" fill="var(--accent)" isAnimationActive={false} />
        </BarChart>
      }
      table={{
        caption: 'Cost per day',
        columns: ['Day', 'Cost'],
        rows: data.map((d) => ({ key: d.day, cells: [d.day, formatCost(d.costUsd)] })),
      }}
    />
  );
}

export function MonthSpend(props: { spend: SpendChart }): ReactNode {
  const { spend } = props;
  return (
    <Figure
      title={`Spend in ${spend.month}${spend.budgetUsd !== null ? ` against the ${formatCost(spend.budgetUsd)} budget` : ''}`}
      chart={
        <LineChart width={W} height={H} data={spend.days} accessibilityLayer>
          {frame('day')}
          {spend.budgetUsd !== null ? (
            // The budget stays in view however little is spent yet.
            <ReferenceLine
              y={spend.budgetUsd}
              ifOverflow="extendDomain"
              stroke="var(--danger)"
              strokeDasharray="4 4"
            />
          ) : null}
          <Line
            dataKey="cumulativeUsd"
            stroke="var(--accent)"
            strokeWidth={2}
            isAnimationActive={false}
          />
        </LineChart>
      }
      table={{
        caption: 'Spend so far this month',
        columns: ['Day', 'Total so far'],
        rows: spend.days.map((d) => ({ key: d.day, cells: [d.day, formatCost(d.cumulativeUsd)] })),
      }}
    />
  );
}
