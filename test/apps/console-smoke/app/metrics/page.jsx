// Deliberately broken: it fails on every request, as a page whose data source is missing does.
export const dynamic = 'force-dynamic';

export default async function Metrics() {
  throw new Error('GRAFANA_DASHBOARD_URL presence could not be read');
}
