/**
 * Turns the JSON Schema zod emits (`z.toJSONSchema`) into a TypeScript type expression. Covers
 * what event payloads use: primitives, literals, enums, arrays, tuples, objects, records,
 * unions, intersections and references (`$ref`, which zod emits for recursive schemas; the
 * caller names them through `refName`); anything else becomes `unknown` rather than a wrong type.
 * Descriptions become doc comments with `*\/` escaped, so no text can end the comment early.
 */
export type JsonSchema = {
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
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
};

/** How the printer spells a `$ref`: the name of a type the caller declares, or undefined for `unknown`. */
export type TRefName = (ref: string) => string | undefined;

export interface IPrintOptions {
  /** Indentation depth of the expression (object members go one deeper). */
  depth?: number;
  refName?: TRefName;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string): string => (IDENTIFIER.test(name) ? name : JSON.stringify(name));
const pad = (depth: number): string => '  '.repeat(depth);

/** A doc comment for `text` at `depth`: `*\/` escaped, one ` * ` line per line of text. */
export const docComment = (text: string, depth: number): string => {
  const lines = text.replaceAll('*/', '*\\/').split(/\r\n|\r|\n|\u2028|\u2029/);
  if (lines.length === 1) return `${pad(depth)}/** ${lines[0]} */\n`;
  return `${pad(depth)}/**\n${lines.map(line => `${pad(depth)} * ${line}`.trimEnd()).join('\n')}\n${pad(depth)} */\n`;
};

export const jsonSchemaToTs = (schema: JsonSchema | boolean | undefined, options: IPrintOptions = {}): string =>
  print(schema, options.depth ?? 0, options.refName ?? (() => undefined));

const print = (schema: JsonSchema | boolean | undefined, depth: number, refName: TRefName): string => {
  if (schema === undefined || schema === true) return 'unknown';
  if (schema === false) return 'never';
  if (schema.$ref !== undefined) return refName(schema.$ref) ?? 'unknown';
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map(v => JSON.stringify(v)).join(' | ');
  const union = schema.anyOf ?? schema.oneOf;
  if (union) return union.map(s => wrap(print(s, depth, refName))).join(' | ');
  if (schema.allOf) return schema.allOf.map(s => wrap(print(s, depth, refName))).join(' & ');
  if (Array.isArray(schema.type)) return schema.type.map(type => print({ ...schema, type }, depth, refName)).join(' | ');
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
      return arrayType(schema, depth, refName);
    case 'object':
      return objectType(schema, depth, refName);
    default:
      return 'unknown';
  }
};

const wrap = (type: string): string => (/[|&]/.test(type) && !type.startsWith('{') ? `(${type})` : type);

const arrayType = (schema: JsonSchema, depth: number, refName: TRefName): string => {
  const tuple = schema.prefixItems ?? (Array.isArray(schema.items) ? schema.items : undefined);
  if (tuple) return `[${tuple.map(s => print(s, depth, refName)).join(', ')}]`;
  return `Array<${print(schema.items as JsonSchema | undefined, depth, refName)}>`;
};

const objectType = (schema: JsonSchema, depth: number, refName: TRefName): string => {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const lines = properties.map(([name, prop]) => {
    const doc = prop.description ? docComment(prop.description, depth + 1) : '';
    return `${doc}${pad(depth + 1)}${key(name)}${required.has(name) ? '' : '?'}: ${print(prop, depth + 1, refName)};`;
  });
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object') lines.push(`${pad(depth + 1)}[key: string]: ${print(extra, depth + 1, refName)};`);
  if (lines.length === 0) return extra === false ? 'Record<string, never>' : 'Record<string, unknown>';
  return `{\n${lines.join('\n')}\n${pad(depth)}}`;
};
