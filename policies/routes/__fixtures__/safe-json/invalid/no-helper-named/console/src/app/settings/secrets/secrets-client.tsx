'use client';

export function SyncButton({ name }: { name: string }) {
  async function sync() {
    const res = await fetch('/api/secrets/sync', { method: 'POST', body: JSON.stringify({ name }) });
    const body = await res.json();
    return body;
  }
  return <button onClick={sync}>Sync</button>;
}
