/**
 * Finds where a config issue was written: `lib/environments/homelab.ts:31:20` for
 * `environments.homelab.kubernetesMcp.enabeld`. Runs only when synth already failed, so loading
 * the TypeScript parser costs nothing on the happy path; without it, issues keep their field only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TS from 'typescript';

/** A field path `environments.<env>.a.b[0]["k"]` split into the environment and its segments. */
export function splitField(field: string): { env: string; segments: (string | number)[] } | undefined {
  const m = /^environments\.([a-z0-9-]+)(.*)$/.exec(field);
  if (!m) return undefined;
  const segments: (string | number)[] = [];
  const re = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let rest = m[2];
  while (rest.length > 0) {
    re.lastIndex = 0;
    const s = re.exec(rest);
    if (!s) break;
    segments.push(s[1] ?? (s[2] !== undefined ? Number(s[2]) : JSON.parse(s[3])));
    rest = rest.slice(s[0].length);
  }
  return { env: m[1], segments };
}

function loadTypeScript(): typeof TS | undefined {
  try {
    return require('typescript');
  } catch {
    return undefined;
  }
}

function propertyName(ts: typeof TS, p: TS.ObjectLiteralElementLike): string | undefined {
  if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) return undefined;
  const n = p.name;
  return ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) ? n.text : undefined;
}

/** The object literal of an environment in a source file (the one whose `name` is `env`). */
function environmentLiteral(ts: typeof TS, file: TS.SourceFile, env: string): TS.ObjectLiteralExpression | undefined {
  let found: TS.ObjectLiteralExpression | undefined;
  const visit = (node: TS.Node): void => {
    if (found) return;
    if (ts.isObjectLiteralExpression(node)) {
      const name = node.properties.find((p) => propertyName(ts, p) === 'name');
      if (name && ts.isPropertyAssignment(name) && ts.isStringLiteralLike(name.initializer) && name.initializer.text === env
        && node.properties.some((p) => propertyName(ts, p) === 'domain')) {
        found = node;
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The deepest node of `segments` written in the literal (a key the user misspelt is found itself). */
function deepestNode(ts: typeof TS, root: TS.Expression, segments: readonly (string | number)[]): TS.Node {
  let node: TS.Node = root;
  for (const segment of segments) {
    let expr: TS.Node = node;
    if (ts.isPropertyAssignment(expr)) expr = expr.initializer;
    while (ts.isAsExpression(expr) || ts.isParenthesizedExpression(expr) || ts.isSatisfiesExpression(expr)) expr = expr.expression;
    let next: TS.Node | undefined;
    if (typeof segment === 'number' && ts.isArrayLiteralExpression(expr)) next = expr.elements[segment];
    else if (ts.isObjectLiteralExpression(expr)) next = expr.properties.find((p) => propertyName(ts, p) === String(segment));
    if (!next) break;
    node = next;
  }
  return node;
}

/**
 * `file:line:column` of each field, for the fields of environments defined in `dir` as object
 * literals; fields built elsewhere (spreads, shared constants) point at the deepest part written there.
 */
export function locateFields(fields: readonly string[], dir: string, cwd: string): Map<string, string> {
  const out = new Map<string, string>();
  const ts = fields.length > 0 && fs.existsSync(dir) ? loadTypeScript() : undefined;
  if (!ts) return out;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
  const sources = files.map((f) => ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true));
  for (const field of fields) {
    const split = splitField(field);
    if (!split) continue;
    for (const source of sources) {
      const literal = environmentLiteral(ts, source, split.env);
      if (!literal) continue;
      const node = deepestNode(ts, literal, split.segments);
      const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
      out.set(field, `${path.relative(cwd, source.fileName)}:${line + 1}:${character + 1}`);
      break;
    }
  }
  return out;
}
