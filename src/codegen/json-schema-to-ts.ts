/**
 * Turns the JSON Schema zod emits (`z.toJSONSchema`) into a TypeScript type expression. Covers
 * what event payloads use: primitives, literals, enums, arrays, tuples, objects, records,
 * unions and intersections; anything else becomes `unknown` rather than a wrong type.
 */
type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  description?: string;
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string): string => (IDENTIFIER.test(name) ? name : JSON.stringify(name));
const pad = (depth: number): string => '  '.repeat(depth);

export const jsonSchemaToTs = (schema: JsonSchema | boolean | undefined, depth = 0): string => {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(s => wrap(jsonSchemaToTs(s, depth))).join(' | ');
  if (schema.allOf) return schema.allOf.map(s => wrap(jsonSchemaToTs(s, depth))).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.map(type => jsonSchemaToTs({ ...schema, type }, depth)).join(' | ');
  switch (schema.type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return arrayType(schema, depth);
    case 'object':
      return objectType(schema, depth);
    default:
      return 'unknown';
  }
};

const wrap = (type: string): string => (/[|&]/.test(type) && !type.startsWith('{') ? `(${type})` : type);

const arrayType = (schema: JsonSchema, depth: number): string => {
  const tuple = schema.prefixItems ?? (Array.isArray(schema.items) ? schema.items : undefined);
  if (tuple) return `[${tuple.map(s => jsonSchemaToTs(s, depth)).join(', ')}]`;
  return `Array<${jsonSchemaToTs(schema.items as JsonSchema | undefined, depth)}>`;
};

const objectType = (schema: JsonSchema, depth: number): string => {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const lines = properties.map(([name, prop]) => {
    const doc = prop.description ? `${pad(depth + 1)}/** ${prop.description} */\n` : '';
    return `${doc}${pad(depth + 1)}${key(name)}${required.has(name) ? '' : '?'}: ${jsonSchemaToTs(prop, depth + 1)};`;
  });
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') lines.push(`${pad(depth + 1)}[key: string]: ${jsonSchemaToTs(extra, depth + 1)};`);
  if (lines.length === 0) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  return `{\n${lines.join('\n')}\n${pad(depth)}}`;
};
