import Link from 'next/link';

const items = [
  { href: '/logs', label: 'Logs' },
  { href: '/integrations', label: 'Integrations' },
  { href: '/advisors', label: 'Advisor' },
];

export function LeftNav({ runId }: { runId: string }) {
  return (
    <nav>
      <Link href="/">Overview</Link>
      {items.map((i) => (
        <Link key={i.href} href={i.href}>
          {i.label}
        </Link>
      ))}
      <Link href={`/logs/${runId}`}>Last run</Link>
      <a href="https://status.example.com">Status</a>
      <Link href={'/metrics/'}>Metrics</Link>
      <Link href="/settings?tab=secrets">Secrets</Link>
    </nav>
  );
}
