import { createRootRoute, createRoute, createRouter } from '@tanstack/react-router';
import { Layout } from './components/layout';
import { ActionPage } from './pages/action-page';
import { IngestionPage } from './pages/ingestion-page';
import { JurisdictionPage, JurisdictionsPage } from './pages/jurisdiction-page';
import { ReviewQueue } from './pages/review-queue';

// Code-based routes: five pages do not need a generator. Search parameters are validated here,
// so a pasted URL with a bad filter opens the page with that filter ignored, not a crash.
const rootRoute = createRootRoute({ component: Layout });

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export const reviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: ReviewQueue,
  validateSearch: (s: Record<string, unknown>): { source?: string; kind?: string; jurisdiction?: string } => ({
    source: str(s.source),
    kind: str(s.kind),
    jurisdiction: str(s.jurisdiction),
  }),
});

export const actionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/actions/$id',
  component: ActionPage,
  validateSearch: (s: Record<string, unknown>): { edit?: true } => ({ edit: s.edit === true || s.edit === 'true' ? true : undefined }),
});

export const jurisdictionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/jurisdictions',
  component: JurisdictionsPage,
  validateSearch: (s: Record<string, unknown>): { q?: string; level?: string } => ({ q: str(s.q), level: str(s.level) }),
});

export const jurisdictionRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/jurisdictions/$id',
  component: JurisdictionPage,
  validateSearch: (
    s: Record<string, unknown>,
  ): { from?: string; to?: string; level?: string; kind?: string; status?: string; asOf?: string; inherited?: boolean } => ({
    from: str(s.from),
    to: str(s.to),
    level: str(s.level),
    kind: str(s.kind),
    status: str(s.status),
    asOf: str(s.asOf),
    inherited: s.inherited === false || s.inherited === 'false' ? false : undefined,
  }),
});

export const ingestionRoute = createRoute({ getParentRoute: () => rootRoute, path: '/ingestion', component: IngestionPage });

export const router = createRouter({
  routeTree: rootRoute.addChildren([reviewRoute, actionRoute, jurisdictionsRoute, jurisdictionRoute, ingestionRoute]),
  basepath: '/console',
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
