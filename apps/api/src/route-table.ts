/**
 * The routes Fastify serves, as patterns, so a request for a path that exists under another
 * method can be answered 405 with `Allow` rather than 404 (Fastify's router answers 404 for
 * both). Filled by an onRoute hook in app.ts as Nest registers its routes.
 */
export class RouteTable {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(method: string | string[], url: string): void {
    const source = url
      .split('/')
      .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    for (const m of [method].flat()) this.routes.push({ method: m.toUpperCase(), pattern: new RegExp(`^${source}/?$`) });
  }

  /** The methods a path is served under, sorted; empty when no route matches it. */
  methodsFor(path: string): string[] {
    return [...new Set(this.routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].sort();
  }
}
