/**
 * The charts (recharts), loaded on demand so that the figures show before the chart library
 * arrives. Each chart is an image with a text summary; the numbers it draws are also on the
 * page as buttons or in a table, for keyboards and screen readers.
 */

import type { ReactNode } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  Legend,
  Pie,
  PieChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatDay } from '../locale.ts';

/** Colours with at least 4.5:1 contrast on white. */
export const COLORS = {
  pending: '#b45309',
  completed: '#047857',
  low: '#475569',
  medium: '#1d4ed8',
  high: '#b91c1c',
  created: '#1d4ed8',
} as const;

function ChartFrame({ summary, children }: { summary: string; children: ReactNode }) {
  return (
    <figure className="chart" role="img" aria-label={summary}>
      {children}
    </figure>
  );
}

/** Pending and completed owned tasks, as a donut. */
export function StatusChart({ pending, completed }: { pending: number; completed: number }) {
  const data = [
    { name: 'Pending', value: pending, fill: COLORS.pending },
    { name: 'Completed', value: completed, fill: COLORS.completed },
  ];
  return (
    <ChartFrame summary={`Status: ${pending} pending, ${completed} completed.`}>
      <PieChart responsive style={{ width: '100%', height: 200 }} accessibilityLayer={false}>
        <Pie
          data={data}
          dataKey="value"
          nameKey="name"
          innerRadius="55%"
          outerRadius="85%"
          isAnimationActive={false}
        >
          {data.map((entry) => (
            <Cell key={entry.name} fill={entry.fill} />
          ))}
        </Pie>
        <Tooltip />
      </PieChart>
    </ChartFrame>
  );
}

/** Owned tasks by priority, as bars. */
export function PriorityChart({
  low,
  medium,
  high,
}: {
  low: number;
  medium: number;
  high: number;
}) {
  const data = [
    { name: 'High', value: high, fill: COLORS.high },
    { name: 'Medium', value: medium, fill: COLORS.medium },
    { name: 'Low', value: low, fill: COLORS.low },
  ];
  return (
    <ChartFrame summary={`Priority: ${high} high, ${medium} medium, ${low} low.`}>
      <BarChart
        responsive
        style={{ width: '100%', height: 200 }}
        data={data}
        accessibilityLayer={false}
        margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
      >
        <CartesianGrid vertical={false} stroke="#e2e8f0" />
        <XAxis dataKey="name" tick={{ fill: '#334155' }} />
        <YAxis allowDecimals={false} tick={{ fill: '#334155' }} />
        <Tooltip cursor={{ fill: '#f1f5f9' }} />
        <Bar dataKey="value" name="Tasks" isAnimationActive={false}>
          {data.map((entry) => (
            <Cell key={entry.name} fill={entry.fill} />
          ))}
        </Bar>
      </BarChart>
    </ChartFrame>
  );
}

/** Tasks created and completed per local day. */
export function TrendChart({
  days,
}: {
  days: readonly { date: string; created: number; completed: number }[];
}) {
  const created = days.reduce((sum, day) => sum + day.created, 0);
  const completed = days.reduce((sum, day) => sum + day.completed, 0);
  const first = days[0];
  const last = days[days.length - 1];
  const span = first && last ? ` from ${formatDay(first.date)} to ${formatDay(last.date)}` : '';
  return (
    <ChartFrame
      summary={`Trend${span}: ${created} tasks created and ${completed} completed over ${days.length} days.`}
    >
      <BarChart
        responsive
        style={{ width: '100%', height: 240 }}
        data={[...days]}
        accessibilityLayer={false}
        margin={{ top: 8, right: 8, bottom: 0, left: -16 }}
      >
        <CartesianGrid vertical={false} stroke="#e2e8f0" />
        <XAxis
          dataKey="date"
          tickFormatter={(date: string) => formatDay(date)}
          minTickGap={16}
          tick={{ fill: '#334155' }}
        />
        <YAxis allowDecimals={false} tick={{ fill: '#334155' }} />
        <Tooltip labelFormatter={(date) => formatDay(String(date), 'long')} />
        <Legend />
        <Bar dataKey="created" name="Created" fill={COLORS.created} isAnimationActive={false} />
        <Bar
          dataKey="completed"
          name="Completed"
          fill={COLORS.completed}
          isAnimationActive={false}
        />
      </BarChart>
    </ChartFrame>
  );
}
