import Link from 'next/link';

const items = [
  { href: '/logs', label: 'Logs' },
  { href: '/advisors', label: 'Advisor' },
];

export function LeftNav() {
  return (
    <nav>
      <Link href="/">Overview</Link>
      {items.map((i) => (
        <Link key={i.href} href={i.href}>
          {i.label}
        </Link>
      ))}
    </nav>
  );
}
