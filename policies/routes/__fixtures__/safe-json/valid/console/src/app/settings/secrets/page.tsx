import { SyncButton } from './secrets-client';

// A server component: it reads its own API on the server, where a thrown error becomes error.tsx.
export default async function Page() {
  const res = await fetch('http://127.0.0.1:3000/api/secrets', { cache: 'no-store' });
  const secrets = (await res.json()) as Array<{ name: string }>;
  return secrets.map((s) => <SyncButton key={s.name} name={s.name} />);
}
