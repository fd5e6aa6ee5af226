/** What one control's metric filter and alarm look like. */
export interface CisControl {
  /** Security Hub control id (or `CIS.4.15`). */
  readonly id: string;
  /** The published filter pattern, byte-exact. */
  readonly pattern: string;
  /** Metric name the filter publishes (the names the CIS benchmark uses in its examples). */
  readonly metricName: string;
  /** What the alarm means, for its description. */
  readonly title: string;
  /** Where the pattern comes from, for the alarm description. */
  readonly reference?: string;
}

/** A control with its reference filled in. */
export type ResolvedCisControl = CisControl & { readonly reference: string };
