/**
 * Webhook fixtures and signatures for tests. The signatures are computed here with node:crypto
 * directly (not with the code under test), so a shared mistake cannot make both sides agree.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('../fixtures/webhooks/', import.meta.url));

/** A fixture's exact bytes, as a sender would put them on the wire. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(`${FIXTURES}${name}`);
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureBytes(name).toString('utf8'));
}

/** GitHub's X-Hub-Signature-256 value for `body`. */
export function githubSignature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A Standard Webhooks `v1,<base64>` signature; `secret` may carry the `whsec_` prefix. */
export function standardSignature(secret: string, id: string, timestampSeconds: number, body: Buffer): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${mac}`;
}

/** What a proxy that parses and re-serialises JSON does to a body. */
export function reserialised(body: Buffer): Buffer {
  return Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8'))));
}
