// Scales for the dashboard's hand-drawn SVG bar charts.

/** The smallest "nice" axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above `max`. */
export function niceMax(max: number): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    // Rounding keeps 0.1 * 3 style float noise from skipping a step.
    if (Math.round(candidate * 1e9) >= Math.round(max * 1e9)) return candidate;
  }
  return 10 * power;
}

/** Evenly spaced ticks from 0 to `max` inclusive (`count` intervals). */
export function ticks(max: number, count = 4): number[] {
  const n = Math.max(1, Math.round(count));
  return Array.from({ length: n + 1 }, (_, i) => Number(((max * i) / n).toPrecision(12)));
}

/** How many tick intervals an axis of whole counts gets so every tick is a whole number (5, 4, 2 or 1). */
export function countIntervals(max: number): number {
  return [5, 4, 2].find((n) => Number.isInteger(max / n)) ?? 1;
}

/** Bar length in pixels for `value` on an axis of `max` over `width` (clamped to the axis). */
export function barLength(value: number, max: number, width: number): number {
  if (!(max > 0) || !Number.isFinite(value) || value <= 0) return 0;
  return Math.min(1, value / max) * width;
}

/** Shortens a label to `max` characters with an ellipsis (counting code points, so CJK is not split). */
export function truncateLabel(label: string, max: number): string {
  const chars = Array.from(label);
  return chars.length <= max ? label : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}
