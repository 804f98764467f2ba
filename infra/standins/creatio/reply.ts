// The plain reply value every handler returns; http.ts writes it to the socket.
import type { ODataError } from './errors.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body?: string;
}

export const ODATA_JSON =
  'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';

export const jsonReply = (
  status: number,
  body: unknown,
  headers: Record<string, string | string[]> = {},
): Reply => ({
  status,
  headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  body: JSON.stringify(body),
});

export const odataReply = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { 'Content-Type': ODATA_JSON, 'OData-Version': '4.0', ...headers },
  body: JSON.stringify(body),
});

export const emptyReply = (status: number, headers: Record<string, string | string[]> = {}): Reply => ({
  status,
  headers,
});

export const textReply = (
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): Reply => ({
  status,
  headers: { 'Content-Type': contentType },
  body,
});

export const errorReply = (e: ODataError): Reply => odataReply(e.status, e.body(), e.headers);
