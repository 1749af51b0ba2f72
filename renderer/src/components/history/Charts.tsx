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

function Figure(props: { title: string; chart: ReactNode; table: ReactNode }): ReactNode {
  return (
    <figure className="chart">
      <figcaption>{props.title}</figcaption>
      <div className="chart-body">
        <div className="chart-plot">{props.chart}</div>
        <div className="chart-table">{props.table}</div>
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
          <CartesianGrid stroke="var(--border)" />
          <XAxis dataKey="label" tick={axis} stroke="var(--border-strong)" />
          <YAxis allowDecimals={false} tick={axis} stroke="var(--border-strong)" />
          <Tooltip />
          <Line dataKey="passing" stroke="var(--ok)" strokeWidth={2} isAnimationActive={false} />
        </LineChart>
      }
      table={
        <table className="data-table">
          <caption>Features passing at the end of each run</caption>
          <thead>
            <tr>
              <th scope="col">Run ended</th>
              <th scope="col">Passing</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d, i) => (
              <tr key={i}>
                <td>{d.label}</td>
                <td>{d.passing}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
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
          <CartesianGrid stroke="var(--border)" />
          <XAxis dataKey="day" tick={axis} stroke="var(--border-strong)" />
          <YAxis tick={axis} stroke="var(--border-strong)" />
          <Tooltip />
          <Bar dataKey="costUsd" fill="var(--accent)" isAnimationActive={false} />
        </BarChart>
      }
      table={
        <table className="data-table">
          <caption>Cost per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Cost</th>
            </tr>
          </thead>
          <tbody>
            {data.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{formatCost(d.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
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
          <CartesianGrid stroke="var(--border)" />
          <XAxis dataKey="day" tick={axis} stroke="var(--border-strong)" />
          <YAxis tick={axis} stroke="var(--border-strong)" />
          <Tooltip />
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
      table={
        <table className="data-table">
          <caption>Spend so far this month</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Total so far</th>
            </tr>
          </thead>
          <tbody>
            {spend.days.map((d) => (
              <tr key={d.day}>
                <td>{d.day}</td>
                <td>{formatCost(d.cumulativeUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    />
  );
}
