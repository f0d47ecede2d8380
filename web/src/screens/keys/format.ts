// Dates and keys as the keys screens show and send them.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "2 Dec 2026, 15:14" in the reader's locale and time zone; the raw text when it is no date. */
export function formatDate(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date);
}

/** A date input's "YYYY-MM-DD" as the end of that day in the reader's time zone (ISO), or null. */
export function expiryFromDate(value: string | undefined): string | null {
  if (!value) return null;
  const date = new Date(`${value}T23:59:59`);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
}

/** Enough of a key to recognise it ("ser.AbC1…"), not enough to use it. */
export function maskKey(key: string): string {
  const dot = key.indexOf('.');
  return `${key.slice(0, dot + 5)}…`;
}
