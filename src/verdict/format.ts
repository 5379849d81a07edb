// Human forms of plain-data values, shared by the verdict's reasons and the reports.

/** 850 → "850ms", 3200 → "3.2s", 90000 → "1m30s", 3723000 → "1h2m3s". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) {
    const seconds = Math.round(ms / 100) / 10;
    if (seconds < 60) return `${seconds}s`;
  }
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  let text = hours > 0 ? `${hours}h${minutes}m` : `${minutes}m`;
  if (seconds > 0) text += `${seconds}s`;
  else if (hours > 0 && minutes === 0) text = `${hours}h`;
  return text;
}

/** An instant as an RFC 3339 UTC string with milliseconds. */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString();
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
