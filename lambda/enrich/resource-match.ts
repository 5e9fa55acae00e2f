/**
 * Which resource (REST) or route path (HTTP API) serves a path the logs named. The logs give either the template
 * (`/orders/{id}`, from "method 'GET /orders/{id}'" or `$context.resourcePath`) or only the requested path
 * (`/orders/42`). A template matches itself; a requested path is matched the way API Gateway routes: a literal
 * segment before a `{param}`, a `{param}` before a greedy `{proxy+}`.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html#http-api-develop-routes.evaluation
 */

function segments(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

const GREEDY = /^\{[^{}]+\+\}$/;
const PARAM = /^\{[^{}]+\}$/;

/** Per segment: 3 literal, 2 parameter, 1 greedy; undefined when the template does not match the path. */
function score(template: string, path: string): number[] | undefined {
  const t = segments(template);
  const p = segments(path);
  const out: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const part = t[i] ?? '';
    if (GREEDY.test(part)) {
      // A greedy parameter must be last and takes at least one segment.
      if (i !== t.length - 1 || p.length <= i) return undefined;
      out.push(1);
      return out;
    }
    const value = p[i];
    if (value === undefined) return undefined;
    if (part === value) out.push(3);
    else if (PARAM.test(part)) out.push(2);
    else return undefined;
  }
  return p.length === t.length ? out : undefined;
}

function better(a: readonly number[], b: readonly number[]): boolean {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** The template among `templates` that serves `path`: the path itself when it is one, else the best match. */
export function matchTemplate(templates: readonly string[], path: string): string | undefined {
  const normal = path === '' ? '/' : path;
  if (templates.includes(normal)) return normal;
  let best: { template: string; score: number[] } | undefined;
  for (const template of templates) {
    const s = score(template, normal);
    if (s !== undefined && (best === undefined || better(s, best.score))) best = { template, score: s };
  }
  return best?.template;
}
