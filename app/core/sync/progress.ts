// What a progress bar shows for long work: percent done and an estimate of the time left, from
// the rate so far. No estimate until there is a rate to speak of (a few seconds and some items).

export interface ProgressInput {
  status: "queued" | "running" | "done" | "failed";
  done: number;
  total: number | null;
  startedAt: Date | string | null;
  finishedAt: Date | string | null;
}

export interface Progress {
  /** 0–100, null when the total is unknown. */
  percent: number | null;
  /** Seconds left at the rate so far; null when it cannot be told yet. */
  etaSeconds: number | null;
  elapsedSeconds: number | null;
}

const time = (value: Date | string | null) => (value === null ? null : new Date(value).getTime());

export function describeProgress(run: ProgressInput, now: Date): Progress {
  const started = time(run.startedAt);
  const ended = time(run.finishedAt) ?? now.getTime();
  const elapsedSeconds = started === null ? null : Math.max(0, (ended - started) / 1000);
  if (run.status === "done") return { percent: 100, etaSeconds: 0, elapsedSeconds };
  const percent = run.total ? Math.min(100, Math.floor((100 * run.done) / run.total)) : null;
  let etaSeconds: number | null = null;
  if (run.status === "running" && run.total && elapsedSeconds !== null && elapsedSeconds >= 3 && run.done > 0) {
    const rate = run.done / elapsedSeconds;
    etaSeconds = Math.max(0, Math.ceil((run.total - run.done) / rate));
  }
  return { percent, etaSeconds, elapsedSeconds };
}

/** "2 h 5 min", "4 min", "40 s": short, for next to a progress bar. */
export function formatDuration(seconds: number, units: { h: string; min: string; s: string } = { h: "h", min: "min", s: "s" }): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} ${units.s}`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} ${units.min}`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} ${units.h} ${rest} ${units.min}` : `${hours} ${units.h}`;
}
