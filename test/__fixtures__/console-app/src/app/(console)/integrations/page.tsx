import { IntegrationsClient } from './_components/integrations-client';

export default function IntegrationsPage() {
  return <IntegrationsClient />;
}
