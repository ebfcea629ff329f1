'use client';

import { syncSecret } from '@/lib/api';

export function SyncButton({ name }: { name: string }) {
  return <button onClick={() => syncSecret(name)}>Sync</button>;
}
