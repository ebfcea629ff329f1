import Link from 'next/link';

const items = [
  { href: '/logs', label: 'Logs' },
  { href: '/integrations', label: 'Integrations' },
  { "href": `/metrics`, label: 'Metrics' },
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
    </nav>
  );
}
