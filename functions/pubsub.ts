// Decoding a Pub/Sub message delivered as a CloudEvent (Eventarc, or a push subscription that
// functions-framework converts). A message that cannot be decoded never will be: the caller
// acknowledges it and logs why, rather than have Pub/Sub redeliver it forever.
import type { CloudEvent } from '@google-cloud/functions-framework';
import type { z } from 'zod';
import type { App } from '../shared/compose.js';
import { app } from '../shared/compose.js';
import { firstIssue } from '../shared/requests.js';
import { answerFor, logFailure, retryError } from './respond.js';

/** Our messages carry a handful of ids; anything bigger did not come from us. */
export const MAX_MESSAGE_BYTES = 4 * 1024;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export type Decoded<T> =
  { ok: true; value: T; messageId: string | null } | { ok: false; reason: string; messageId: string | null };

/** A message's text and metadata, before its JSON is read. */
export interface Received {
  messageId: string | null;
  text: string;
  attributes: Record<string, string>;
  publishTime: string | null;
}

interface Envelope {
  message?: { data?: unknown; messageId?: unknown; attributes?: unknown; publishTime?: unknown };
}

export function receiveMessage(
  event: CloudEvent<unknown>,
): ({ ok: true } & Received) | { ok: false; reason: string; messageId: string | null } {
  // A push whose message has no data is not converted by the framework: the envelope arrives as is.
  const message = (event?.data as Envelope | undefined)?.message ?? (event as Envelope | undefined)?.message;
  const messageId = typeof message?.messageId === 'string' ? message.messageId : (event?.id ?? null);
  const fail = (reason: string) => ({ ok: false as const, reason, messageId });
  if (typeof message !== 'object' || message === null) return fail('not a Pub/Sub message');
  const data = message.data;
  if (typeof data !== 'string' || data.length === 0) return fail('no message data');
  if (data.length > Math.ceil(MAX_MESSAGE_BYTES / 3) * 4) return fail('oversize message');
  if (!BASE64.test(data)) return fail('data is not base64');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(data, 'base64'));
  } catch {
    return fail('data is not UTF-8');
  }
  const attributes: Record<string, string> = {};
  if (typeof message.attributes === 'object' && message.attributes !== null)
    for (const [k, v] of Object.entries(message.attributes)) if (typeof v === 'string') attributes[k] = v;
  const publishTime = typeof message.publishTime === 'string' ? message.publishTime : null;
  return { ok: true, messageId, text, attributes, publishTime };
}

export function decodeMessage<S extends z.ZodType>(
  event: CloudEvent<unknown>,
  schema: S,
): Decoded<z.infer<S>> {
  const received = receiveMessage(event);
  if (!received.ok) return received;
  const { messageId } = received;
  let json: unknown;
  try {
    json = JSON.parse(received.text);
  } catch {
    return { ok: false, reason: 'data is not JSON', messageId };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: firstIssue(parsed.error, json), messageId };
  return { ok: true, value: parsed.data, messageId };
}

/**
 * The service, for a Pub/Sub function. A deployment that cannot start (configuration, the key in
 * Secret Manager) keeps its messages: they are retried, and dead-lettered if it stays broken.
 */
export async function appForMessage(where: string, fields: Record<string, string>): Promise<App> {
  try {
    return await app();
  } catch (e) {
    const answer = answerFor(e);
    logFailure(where, e, answer, fields);
    throw retryError(answer.code);
  }
}
