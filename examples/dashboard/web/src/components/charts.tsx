/**
 * The charts (visx: d3 scales and shapes drawn as plain SVG by React), in a chunk of their
 * own that the figures do not wait for. Each chart is an image with a text summary; the
 * numbers it draws are also on the page as buttons or in a table, for keyboards and screen
 * readers. Each mark names its number in a tooltip (`<title>`). A chart is exactly as tall as
 * its placeholder (`CHART_HEIGHT`), so nothing moves when it arrives.
 */
import { AxisBottom, AxisLeft } from '@visx/axis';
import { GridRows } from '@visx/grid';
import { Group } from '@visx/group';
import { ParentSize } from '@visx/responsive';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar, Pie } from '@visx/shape';
import type { ReactNode } from 'react';
import { formatCount, formatDay } from '../locale.ts';
import { CHART_HEIGHT } from './chart-size.ts';

/** Colours with at least 4.5:1 contrast on white. */
export const COLORS = {
  pending: '#b45309',
  completed: '#047857',
  low: '#475569',
  medium: '#1d4ed8',
  high: '#b91c1c',
  created: '#1d4ed8',
} as const;

const AXIS = '#334155';
const GRID = '#e2e8f0';
const MARGIN = { top: 12, right: 8, bottom: 28, left: 36 };
const leftLabel = () =>
  ({ fill: AXIS, fontSize: 12, textAnchor: 'end', dx: '-0.4em', dy: '0.33em' }) as const;
const bottomLabel = () => ({ fill: AXIS, fontSize: 12, textAnchor: 'middle' }) as const;

function ChartFrame({
  summary,
  height,
  legend,
  children,
}: {
  summary: string;
  height: number;
  legend?: ReactNode;
  children: (width: number) => ReactNode;
}) {
  return (
    <figure className="chart" role="img" aria-label={summary} style={{ height }}>
      <ParentSize className="chart-canvas" debounceTime={50}>
        {({ width }) =>
          width > 0 ? (
            <svg
              className="chart-svg"
              width={width}
              height={height - (legend ? LEGEND_HEIGHT : 0)}
              aria-hidden="true"
              focusable="false"
            >
              {children(width)}
            </svg>
          ) : null
        }
      </ParentSize>
      {legend}
    </figure>
  );
}

const LEGEND_HEIGHT = 24;

function Legend({ items }: { items: readonly { name: string; color: string }[] }) {
  return (
    <div className="chart-legend" aria-hidden="true" style={{ height: LEGEND_HEIGHT }}>
      {items.map((item) => (
        <span key={item.name}>
          <span className="chart-swatch" style={{ background: item.color }} />
          {item.name}
        </span>
      ))}
    </div>
  );
}

/** Pending and completed owned tasks, as a donut. */
export function StatusChart({ pending, completed }: { pending: number; completed: number }) {
  const data = [
    { name: 'Pending', value: pending, fill: COLORS.pending },
    { name: 'Completed', value: completed, fill: COLORS.completed },
  ];
  const height = CHART_HEIGHT.status;
  return (
    <ChartFrame summary={`Status: ${pending} pending, ${completed} completed.`} height={height}>
      {(width) => {
        const radius = Math.min(width, height) / 2 - 8;
        return (
          <Group top={height / 2} left={width / 2}>
            <Pie
              data={data.filter((entry) => entry.value > 0)}
              pieValue={(entry) => entry.value}
              pieSort={null}
              innerRadius={radius * 0.65}
              outerRadius={radius}
            >
              {(pie) =>
                pie.arcs.map((arc) => (
                  <path key={arc.data.name} d={pie.path(arc) ?? ''} fill={arc.data.fill}>
                    <title>{`${arc.data.name}: ${formatCount(arc.data.value)}`}</title>
                  </path>
                ))
              }
            </Pie>
          </Group>
        );
      }}
    </ChartFrame>
  );
}

/** Vertical bars over a band scale, with a left axis of whole numbers and grid rows. */
function Bars<Datum>({
  width,
  height,
  data,
  keyOf,
  series,
  tickFormat,
  numTicks,
}: {
  width: number;
  height: number;
  data: readonly Datum[];
  keyOf: (datum: Datum) => string;
  series: readonly {
    name: string;
    value: (datum: Datum) => number;
    color: (datum: Datum) => string;
  }[];
  tickFormat: (key: string) => string;
  numTicks?: number;
}) {
  const innerWidth = Math.max(0, width - MARGIN.left - MARGIN.right);
  const innerHeight = Math.max(0, height - MARGIN.top - MARGIN.bottom);
  const x = scaleBand({ domain: data.map(keyOf), range: [0, innerWidth], padding: 0.2 });
  const inner = scaleBand({
    domain: series.map((entry) => entry.name),
    range: [0, x.bandwidth()],
    padding: 0.05,
  });
  const max = Math.max(1, ...data.flatMap((datum) => series.map((entry) => entry.value(datum))));
  const y = scaleLinear({ domain: [0, max], range: [innerHeight, 0], nice: true });
  const ticks = y.ticks(4).filter(Number.isInteger);
  const every = numTicks ? Math.max(1, Math.ceil(data.length / numTicks)) : 1;
  return (
    <Group top={MARGIN.top} left={MARGIN.left}>
      <GridRows scale={y} width={innerWidth} tickValues={ticks} stroke={GRID} />
      {data.map((datum) => (
        <Group key={keyOf(datum)} left={x(keyOf(datum)) ?? 0}>
          {series.map((entry) => {
            const value = entry.value(datum);
            return (
              <Bar
                key={entry.name}
                x={inner(entry.name) ?? 0}
                y={y(value)}
                width={inner.bandwidth()}
                height={innerHeight - y(value)}
                fill={entry.color(datum)}
              >
                <title>{`${tickFormat(keyOf(datum))}, ${entry.name}: ${formatCount(value)}`}</title>
              </Bar>
            );
          })}
        </Group>
      ))}
      <AxisLeft
        scale={y}
        tickValues={ticks}
        tickFormat={(value) => formatCount(Number(value))}
        stroke={AXIS}
        tickStroke={AXIS}
        tickLabelProps={leftLabel}
      />
      <AxisBottom
        top={innerHeight}
        scale={x}
        tickValues={data.map(keyOf).filter((_, index) => index % every === 0)}
        tickFormat={tickFormat}
        stroke={AXIS}
        tickStroke={AXIS}
        tickLabelProps={bottomLabel}
      />
    </Group>
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
  const height = CHART_HEIGHT.priority;
  return (
    <ChartFrame summary={`Priority: ${high} high, ${medium} medium, ${low} low.`} height={height}>
      {(width) => (
        <Bars
          width={width}
          height={height}
          data={data}
          keyOf={(entry) => entry.name}
          series={[{ name: 'Tasks', value: (entry) => entry.value, color: (entry) => entry.fill }]}
          tickFormat={(name) => name}
        />
      )}
    </ChartFrame>
  );
}

const TREND_SERIES = [
  {
    name: 'Created',
    value: (day: { created: number }) => day.created,
    color: () => COLORS.created,
  },
  {
    name: 'Completed',
    value: (day: { completed: number }) => day.completed,
    color: () => COLORS.completed,
  },
] as const;

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
  const height = CHART_HEIGHT.trend;
  return (
    <ChartFrame
      summary={`Trend${span}: ${created} tasks created and ${completed} completed over ${days.length} days.`}
      height={height}
      legend={
        <Legend
          items={[
            { name: 'Created', color: COLORS.created },
            { name: 'Completed', color: COLORS.completed },
          ]}
        />
      }
    >
      {(width) => (
        <Bars
          width={width}
          height={height - LEGEND_HEIGHT}
          data={days}
          keyOf={(day) => day.date}
          series={TREND_SERIES}
          tickFormat={(date) => formatDay(date)}
          numTicks={Math.max(2, Math.floor(width / 72))}
        />
      )}
    </ChartFrame>
  );
}
