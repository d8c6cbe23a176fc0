/**
 * Walks a shared document and lists every way it breaks SHARED_SCHEMA, independently of the
 * server's check (what the tests hold the check to). An empty list: the document is valid.
 */
import * as Y from 'yjs';
import { type FieldSpec, type NodeName, SHARED_SCHEMA, type SessionDocs } from '../../lib/doc/schema';
import { parseMemberId, parseTaskId } from '../../lib/ids';
import { normalizeName } from '../../lib/memberName';

const chars = (s: string) => [...s].length;

export function validateShared(docs: SessionDocs): string[] {
  const problems: string[] = [];
  for (const [name, type] of docs.shared.share) {
    const root = SHARED_SCHEMA.roots[name];
    if (!root) {
      if (type._start !== null || type._map.size > 0) problems.push(`root ${name} has content`);
      continue;
    }
    const map = docs.shared.getMap<unknown>(name);
    for (const [key, value] of map.entries()) {
      const id = root.key === 'member' ? parseMemberId(key) : parseTaskId(key);
      if (!id) problems.push(`${name}: key ${key}`);
      field(problems, `${name}.${key}`, root.value, value, false);
    }
  }
  return problems;
}

function field(out: string[], at: string, spec: FieldSpec, value: unknown, isName: boolean): void {
  switch (spec.kind) {
    case 'string':
      if (typeof value !== 'string' || chars(value) > spec.max) out.push(`${at}: not a string within ${spec.max}`);
      else if (isName && (!normalizeName(value).ok || normalizeName(value).ok && (normalizeName(value) as { name: string }).name !== value)) out.push(`${at}: not a normalised name`);
      return;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) out.push(`${at}: not a number`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') out.push(`${at}: not a boolean`);
      return;
    case 'text':
      if (!(value instanceof Y.Text)) out.push(`${at}: not a text`);
      else {
        if (chars(value.toString()) > spec.max) out.push(`${at}: longer than ${spec.max}`);
        if (value.toDelta().some((op: { insert?: unknown; attributes?: unknown }) => typeof op.insert !== 'string' || op.attributes)) out.push(`${at}: formatting or embeds`);
      }
      return;
    case 'array':
      if (!(value instanceof Y.Array)) out.push(`${at}: not an array`);
      else {
        if (value.length > spec.max) out.push(`${at}: more than ${spec.max}`);
        for (const [i, v] of value.toArray().entries()) node(out, `${at}[${i}]`, spec.of, v);
      }
      return;
    case 'map':
      node(out, at, spec.node, value);
      return;
  }
}

function node(out: string[], at: string, name: NodeName, value: unknown): void {
  if (!(value instanceof Y.Map)) {
    out.push(`${at}: not a map`);
    return;
  }
  const spec = SHARED_SCHEMA.nodes[name];
  for (const k of spec.required) if (!value.has(k)) out.push(`${at}: no ${k}`);
  for (const [k, v] of value.entries()) {
    const f = spec.fields[k];
    if (!f) out.push(`${at}: unknown field ${k}`);
    else field(out, `${at}.${k}`, f, v, name === 'member' && k === 'name');
  }
}
