// Structured log lines (Cloud Logging reads `severity` and `message` from JSON on stdout). Fields are
// ids, kinds and counts only. A user id may be an email address, so connections are logged by a short
// digest of tenant and user; errors by kind, never by message (an API's message can quote contacts).
import { createHash } from 'node:crypto';

export type Severity = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR';
export type LogFields = Record<string, string | number | boolean | null | undefined>;
export type LogSink = (entry: { severity: Severity; message: string } & LogFields) => void;

const stdout: LogSink = (entry) => process.stdout.write(`${JSON.stringify(entry)}\n`);
let sink: LogSink = stdout;

/** Tests capture the log (to check what it contains) or silence it; null restores stdout. */
export function setLogSink(next: LogSink | null): void {
  sink = next ?? stdout;
}

export function log(severity: Severity, message: string, fields: LogFields = {}): void {
  sink({ severity, message, ...fields });
}

/** A stable, non-reversible reference to one connection for correlating log lines. */
export const connectionRef = (tenantId: string, userId: string): string =>
  createHash('sha256').update(`${tenantId}/${userId}`).digest('hex').slice(0, 12);
