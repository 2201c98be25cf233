/**
 * Prometheus durations, with Prometheus' own grammar. Pure: no aws-cdk-lib import.
 *
 * Units must appear at most once each and in the order y, w, d, h, m, s, ms ("1h30m", never
 * "30s1m"); a bare "0" is allowed. This is the pattern of prometheus/common `model.ParseDuration`
 * and of the prometheus-operator CRDs' `Duration` type
 * (`^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`).
 */

const DURATION_RE = /^(?:0|(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?)$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** What a valid duration looks like, for error messages. */
export const PROMETHEUS_DURATION_EXPECTED = 'a Prometheus duration: units y, w, d, h, m, s, ms, each at most once and in that order (5s, 30ms, 1m30s), or 0';

/** Milliseconds in a Prometheus duration ("1m30s" is 90000), or undefined when it is not one. */
export function prometheusDurationMs(duration: string): number | undefined {
  if (typeof duration !== 'string' || duration === '') return undefined;
  const match = DURATION_RE.exec(duration);
  if (!match) return undefined;
  return UNIT_MS.reduce((total, unit, i) => total + Number(match[i + 1] ?? 0) * unit, 0);
}

/** Whether `value` is a Prometheus duration. */
export function isPrometheusDuration(value: unknown): value is string {
  return typeof value === 'string' && prometheusDurationMs(value) !== undefined;
}
