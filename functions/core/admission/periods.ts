import type { BudgetDuration } from '../tenancy/tenancy-types.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The fixed one-minute window `nowMs` falls in (RPM and TPM count per such window). */
export function minuteWindow(nowMs: number): { index: number; endsAtMs: number } {
  const index = Math.floor(nowMs / MINUTE_MS);
  return { index, endsAtMs: (index + 1) * MINUTE_MS };
}

/**
 * The budget period `nowMs` falls in, named so that a new period is simply a new key
 * (no reset job): `1d:2026-11-23`, `7d:2932`, `30d:684`, `1mo:2026-11`, or `lifetime`
 * when the budget has no duration. `7d`/`30d` count whole periods from the Unix epoch (UTC).
 */
export function budgetPeriod(duration: BudgetDuration | undefined, nowMs: number): { key: string; endsAtMs: number } {
  switch (duration) {
    case undefined:
      return { key: 'lifetime', endsAtMs: Number.MAX_SAFE_INTEGER };
    case '1d': {
      const start = Math.floor(nowMs / DAY_MS) * DAY_MS;
      return { key: `1d:${new Date(start).toISOString().slice(0, 10)}`, endsAtMs: start + DAY_MS };
    }
    case '7d':
    case '30d': {
      const length = (duration === '7d' ? 7 : 30) * DAY_MS;
      const index = Math.floor(nowMs / length);
      return { key: `${duration}:${index}`, endsAtMs: (index + 1) * length };
    }
    case '1mo': {
      const date = new Date(nowMs);
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth();
      return { key: `1mo:${year}-${String(month + 1).padStart(2, '0')}`, endsAtMs: Date.UTC(year, month + 1, 1) };
    }
  }
}

/** OpenAI's reset format: `1s`, `6m0s`, `2h3m4s`. */
export function formatResetDuration(milliseconds: number): string {
  const totalSeconds = Math.max(1, Math.ceil(milliseconds / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return `${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${minutes}m${seconds}s`;
  return `${seconds}s`;
}
