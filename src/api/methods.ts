/**
 * The methods each route path answers, so that a known path asked with another method gets 405
 * and an `Allow` header (RFC 9110 §15.5.6) rather than fastify's 404. Filled from fastify's
 * onRoute hook; paths are fastify patterns (`:param` one segment, `*` the rest).
 */
export class RouteMethods {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];
  private readonly byUrl = new Map<string, Set<string>>();

  /** Records that `url` (a fastify route pattern) answers `method`. */
  add(method: string | readonly string[], url: string): void {
    let methods = this.byUrl.get(url);
    if (!methods) {
      methods = new Set();
      this.byUrl.set(url, methods);
      this.routes.push({ pattern: patternOf(url), methods });
    }
    for (const m of typeof method === 'string' ? [method] : method) methods.add(m.toUpperCase());
  }

  /** The methods the path of `url` answers, sorted (empty: no such path). */
  allowed(url: string): string[] {
    const path = url.split('?')[0];
    const found = new Set<string>();
    for (const r of this.routes) if (r.pattern.test(path)) for (const m of r.methods) found.add(m);
    return [...found].sort();
  }
}

function patternOf(url: string): RegExp {
  const escaped = url
    .split('/')
    .map((part) => {
      if (part === '*') return '.*';
      if (part.startsWith(':')) return '[^/]+';
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${escaped}$`);
}
