/** The browser's time zone and week, which every time-dependent figure is computed in. */

/** The browser's IANA time zone, e.g. `Europe/Berlin` (UTC when the browser cannot tell). */
export const timeZone: string = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

interface WeekInfo {
  firstDay: number;
}

/** The first day of the week in the browser's locale: 0 = Sunday … 6 = Saturday (default Monday). */
export const weekStartsOn: number = (() => {
  try {
    const locale = new Intl.Locale(navigator.language) as Intl.Locale & {
      getWeekInfo?: () => WeekInfo;
      weekInfo?: WeekInfo;
    };
    const first = locale.getWeekInfo?.().firstDay ?? locale.weekInfo?.firstDay;
    return first === undefined ? 1 : first % 7; // Intl counts 1 = Monday … 7 = Sunday
  } catch {
    return 1;
  }
})();

const numbers = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

/** A count, formatted for the reader (`1,234`). */
export const formatCount = (value: number): string => numbers.format(value);

/** A ratio in [0, 1] as a percentage (`67%`). */
export const formatPercent = (value: number): string => percent.format(value);

/** An instant as a short local date and time in `zone`. */
export function formatInstant(iso: string, zone: string = timeZone): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** A due date, in the browser's zone. */
export function formatDue(iso: string): string {
  return new Intl.DateTimeFormat(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));
}

/** A `YYYY-MM-DD` day of the trend, as a short label (`22 Nov`). */
export function formatDay(date: string, style: 'short' | 'long' = 'short'): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'short',
    ...(style === 'long' ? { weekday: 'short', year: 'numeric' } : {}),
  }).format(new Date(Date.UTC(year, month - 1, day)));
}

/** The value of a `datetime-local` input for an instant, in the browser's zone. */
export function toDateTimeLocal(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The instant a `datetime-local` value names in the browser's zone, or null when empty. */
export function fromDateTimeLocal(value: string): string | null {
  return value ? new Date(value).toISOString() : null;
}
