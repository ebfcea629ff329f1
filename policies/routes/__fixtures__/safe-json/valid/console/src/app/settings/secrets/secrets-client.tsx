'use client';

import { useState } from 'react';
import { safeJson } from '@/lib/safe-json';

export function SyncButton({ name }: { name: string }) {
  const [state, setState] = useState('idle');
  async function sync() {
    const res = await fetch('/api/secrets/sync', { method: 'POST', body: JSON.stringify({ name }) });
    const body = await safeJson<{ ok: boolean }>(res);
    setState(body?.ok ? 'synced' : 'failed');
  }
  return <button onClick={sync}>{state}</button>;
}
