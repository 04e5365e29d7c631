// Turns ajv's errors into a JSON pointer and a sentence a person can act on. Shared by
// the settings file and the simulator's scenario files.
import type { ErrorObject } from 'ajv';

function escapeToken(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function pointer(...tokens: (string | number)[]): string {
  return tokens.map((t) => '/' + escapeToken(t)).join('');
}

/** The pointer as shown in messages: "/" for the document itself. */
function shown(field: string): string {
  return field === '' ? '/' : field;
}

export function show(v: unknown): string {
  const s = JSON.stringify(v);
  if (s === undefined) return String(v);
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
}

function describeAlternative(schema: Record<string, unknown>): string {
  if (schema.$ref !== undefined) return 'an identifier';
  if (schema.type === 'null') return 'null';
  if (schema.type === 'number') {
    if (schema.exclusiveMinimum !== undefined) return `a number > ${String(schema.exclusiveMinimum)}`;
    if (schema.minimum !== undefined) return `a number >= ${String(schema.minimum)}`;
    return 'a number';
  }
  return String(schema.type);
}

/** Turns ajv's first error into a field and a rule a person can act on. */
export function fromAjv(e: ErrorObject): { field: string; rule: string } {
  const at = e.instancePath;
  const p = e.params as Record<string, unknown>;
  const described = (e.parentSchema as { description?: string } | undefined)?.description;
  if (e.propertyName !== undefined) {
    // A key refused by propertyNames (only Localised texts have one).
    const key = e.propertyName;
    return { field: at + pointer(key), rule: `${shown(at)}: "${key}" is not ${described ?? 'an allowed key'}` };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      return { field: at + pointer(key), rule: `${shown(at)}: unknown field "${key}"` };
    }
    case 'required': {
      const key = String(p.missingProperty);
      const field = at + pointer(key);
      return { field, rule: `${field} is required` };
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((v) => show(v)).join(', ');
      return { field: at, rule: `${shown(at)} must be one of ${allowed}, got ${show(e.data)}` };
    }
    case 'pattern':
      return {
        field: at,
        rule: `${shown(at)} must be ${described ?? `a string matching ${String(p.pattern)}`}, got ${show(e.data)}`,
      };
    case 'type':
      return { field: at, rule: `${shown(at)} must be ${String(p.type).replace(/,/g, ' or ')}, got ${show(e.data)}` };
    case 'minItems':
      return { field: at, rule: `${shown(at)} must have at least ${String(p.limit)} item(s)` };
    case 'minProperties':
      return { field: at, rule: `${shown(at)} must not be empty` };
    case 'anyOf': {
      // Only "X or null" (levelWideningSeconds, agingSeconds, overflowQueue).
      const alternatives = (e.schema as Record<string, unknown>[]).map(describeAlternative).join(' or ');
      return { field: at, rule: `${shown(at)} must be ${alternatives}, got ${show(e.data)}` };
    }
    default:
      return { field: at, rule: `${shown(at)} ${e.message ?? 'is invalid'}${e.data !== undefined && typeof e.data !== 'object' ? `, got ${show(e.data)}` : ''}` };
  }
}

