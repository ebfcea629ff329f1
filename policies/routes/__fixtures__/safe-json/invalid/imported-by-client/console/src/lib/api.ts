export async function syncSecret(name: string): Promise<{ ok: boolean }> {
  return (await fetch('/api/secrets/sync', { method: 'POST', body: JSON.stringify({ name }) })).json();
}
