'use client';

export function IntegrationsClient() {
  return <h1>Integrations</h1>;
}
