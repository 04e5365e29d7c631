// RFC 4180 CSV: comma-separated, CRLF line ends, a field quoted (quotes doubled)
// only when it holds a comma, a quote or a line break. Numbers are written as
// JSON writes them (full precision, '.' decimals); null is an empty field.
import { ROW_FIELDS, type ReportRow } from './intervals.ts';

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(rows: ReportRow[], columns: readonly (keyof ReportRow)[] = ROW_FIELDS): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}
