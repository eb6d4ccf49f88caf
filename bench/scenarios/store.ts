/** Collects the values of every run, and why a target or scenario has none. */
import type { TTargetName } from './targets';

/** Everything `latest.json` holds about the measures. */
export interface IStoreData {
  /** metric id → target → one value per run. */
  values: Record<string, Partial<Record<TTargetName, number[]>>>;
  /** target → why it did not run at all. */
  unavailable: Partial<Record<TTargetName, string>>;
  /** Free-form observations (failures, losses, skipped scenarios). */
  notes: string[];
  /** Extra per-run details worth keeping (raw helper stats, drops). */
  details: Record<string, unknown[]>;
  /** Every run kept, with the CPU other processes used meanwhile. */
  runs: IRunRecord[];
  /** metric id → target → cores the load process used in the phase behind that value, one per run. */
  loadCores?: Record<string, Partial<Record<TTargetName, number[]>>>;
}

/** A load process using at least this many cores during a phase makes its rows load-generator bound. */
export const LOAD_BOUND_CORES = 0.9;

/** One kept run. */
export interface IRunRecord {
  scenario: string;
  target: TTargetName;
  repeat: number;
  seconds: number;
  /** Average cores used by processes outside the benchmark during the run. */
  foreignCores: number;
  /** 1 + the times the run was repeated because other processes disturbed it. */
  attempts: number;
}

/** Mutable result collector passed to every scenario. */
export class ResultStore {
  readonly data: IStoreData = { values: {}, unavailable: {}, notes: [], details: {}, runs: [], loadCores: {} };

  private pending: (() => void)[] | undefined;

  /** Starts a run: values added until `commit()` or `discard()` are held back. */
  begin(): void {
    this.pending = [];
  }

  /** Keeps the held-back values of the run. */
  commit(): void {
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const apply of pending) apply();
  }

  /** Drops the held-back values of the run (it will be repeated). */
  discard(): void {
    this.pending = undefined;
  }

  /** Records one run's value of a metric for a target. */
  add(metric: string, target: TTargetName, value: number | null | undefined): void {
    if (value === null || value === undefined || !Number.isFinite(value)) return;
    const apply = (): void => {
      const byTarget = (this.data.values[metric] ??= {});
      (byTarget[target] ??= []).push(value);
    };
    if (this.pending) this.pending.push(apply);
    else apply();
  }

  /** Records the cores the load process used during the phase behind `metrics` (held back like values). */
  loadCores(metrics: string[], target: TTargetName, cores: number | undefined): void {
    if (cores === undefined || !Number.isFinite(cores)) return;
    const apply = (): void => {
      const all = (this.data.loadCores ??= {});
      for (const metric of metrics) ((all[metric] ??= {})[target] ??= []).push(cores);
    };
    if (this.pending) this.pending.push(apply);
    else apply();
  }

  /** Keeps a detail object for `latest.json` (held back like values during a run). */
  detail(key: string, value: unknown): void {
    const apply = (): void => void (this.data.details[key] ??= []).push(value);
    if (this.pending) this.pending.push(apply);
    else apply();
  }

  /** Marks a target as not run, with the reason. */
  unavailable(target: TTargetName, reason: string): void {
    this.data.unavailable[target] = reason;
  }

  /** Adds a note for the report (deduplicated). */
  note(text: string): void {
    if (!this.data.notes.includes(text)) this.data.notes.push(text);
  }
}
