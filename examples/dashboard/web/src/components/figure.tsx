import { FIGURE_LABELS, type FigureKey, type OpenFigure } from '../figures.ts';
import { formatCount } from '../locale.ts';

/**
 * A number that opens the list of exactly the tasks it counts. `data-figure` names it as the
 * API does (`statistics.pending`), `data-value` holds the raw number.
 */
export function FigureButton({
  figure,
  value,
  onOpen,
  label = FIGURE_LABELS[figure],
  window,
  size = 'large',
}: {
  figure: FigureKey;
  value: number;
  onOpen: (figure: OpenFigure) => void;
  label?: string;
  window?: OpenFigure['window'];
  size?: 'large' | 'small';
}) {
  return (
    <button
      type="button"
      className={`figure figure-${size}`}
      data-figure={figure}
      data-value={value}
      onClick={() => onOpen({ key: figure, window })}
    >
      <span className="figure-value">{formatCount(value)}</span>
      <span className="figure-label">{label}</span>
      <span className="visually-hidden">, list these tasks</span>
    </button>
  );
}
